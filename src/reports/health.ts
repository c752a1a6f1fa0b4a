// Database health for GET /api/health (spec 04 §14.1).
import type { Database } from '../db/client.ts';
import { getSummary } from './summary.ts';

export interface Health {
  healthy: boolean;
  body: Record<string, unknown>;
}

async function check(run: () => Promise<unknown>): Promise<string | null> {
  try {
    await run();
    return null;
  } catch (e) {
    return (e as Error).message;
  }
}

export async function checkHealth(db: Database, now: Date): Promise<Health> {
  const basicError = await check(() => db.client.execute('SELECT 1'));
  const tables: string[] = [];
  const connectionDetails: Record<string, unknown> = { status: 'ready' };
  const connectionError = await check(async () => {
    const result = await db.client.execute("SELECT name FROM sqlite_master WHERE type = 'table'");
    tables.push(...result.rows.map((r) => String(r.name)));
    if (db.local) {
      connectionDetails.walMode = String((await db.client.execute('PRAGMA journal_mode')).rows[0]?.[0]);
      connectionDetails.busyTimeout = Number((await db.client.execute('PRAGMA busy_timeout')).rows[0]?.[0]);
    }
  });
  const preparedError = await check(async () => {
    await db.client.execute('SELECT id, name FROM servers LIMIT 1');
    await getSummary(db, now);
  });
  const healthy = !basicError && !connectionError && !preparedError;
  return {
    healthy,
    body: {
      status: healthy ? 'healthy' : 'degraded',
      database: basicError ? 'disconnected' : 'connected',
      basicConnection: !basicError,
      tablesFound: tables.length,
      tables,
      preparedStatements: !preparedError,
      ...(preparedError && { preparedStatementsError: preparedError }),
      // Migrations run before the server listens, so a serving daemon is always initialised.
      initializationStatus: 'complete',
      initializationComplete: true,
      connectionHealth: !connectionError,
      ...(connectionError && { connectionHealthError: connectionError }),
      timestamp: now.toISOString(),
      connectionDetails,
    },
  };
}
