// User management (spec 04 §8), admin only; the rules live in src/auth/users.ts.
import { Hono } from 'hono';
import { createUser, deleteUser, listUsers, updateUser } from '../../auth/users.ts';
import { jsonObject } from '../body.ts';
import { actorOf } from '../client-info.ts';
import type { AppDeps } from '../deps.ts';
import type { AppEnv } from '../env.ts';
import { sendFailure } from '../errors.ts';

export function userRoutes({ db, config, now = () => new Date() }: AppDeps) {
  const app = new Hono<AppEnv>();

  app.get('/api/users', async (c) => {
    const { page, limit, search } = c.req.query();
    return c.json(await listUsers(db, { page: Number(page) || 1, limit: Number(limit) || 50, search }, now()));
  });

  app.post('/api/users', async (c) => {
    const body = await jsonObject(c);
    if (!body.ok) return sendFailure(c, body);
    const result = await createUser(db, body.value, config.passwordPolicy, actorOf(c));
    return result.ok ? c.json(result.value, 201) : sendFailure(c, result);
  });

  app.patch('/api/users/:id', async (c) => {
    const body = await jsonObject(c);
    if (!body.ok) return sendFailure(c, body);
    const result = await updateUser(db, c.req.param('id'), body.value, config.passwordPolicy, actorOf(c));
    return result.ok ? c.json(result.value) : sendFailure(c, result);
  });

  app.delete('/api/users/:id', async (c) => {
    const result = await deleteUser(db, c.req.param('id'), actorOf(c));
    return result.ok ? c.json(result.value) : sendFailure(c, result);
  });
  return app;
}
