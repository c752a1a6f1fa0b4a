// Who is calling, for audit rows and last_login_ip (spec 04 §4.6): proxy headers first, else the socket.
import { getConnInfo } from '@hono/node-server/conninfo';
import type { Context } from 'hono';
import type { Actor } from '../audit/audit.ts';
import type { AppEnv } from './env.ts';

export function clientIp(c: Context): string {
  const forwarded = c.req.header('X-Forwarded-For')?.split(',')[0]?.trim();
  const fromHeader = forwarded || c.req.header('X-Real-IP') || c.req.header('CF-Connecting-IP') || c.req.header('X-Client-IP');
  if (fromHeader) return fromHeader;
  try {
    return getConnInfo(c).remote.address ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

export function clientInfo(c: Context) {
  return { ipAddress: clientIp(c), userAgent: c.req.header('User-Agent') ?? 'unknown' };
}

/** The audit actor of this request: the signed-in user if any. */
export function actorOf(c: Context<AppEnv>): Actor {
  const user = c.get('user');
  return { userId: user?.id ?? null, username: user?.username ?? null, ...clientInfo(c) };
}
