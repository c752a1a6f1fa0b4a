// The dashboard's reads (spec 02 §3.1, §3.6, §4): one call for the overview, one per server, charts.
import { Hono, type Context } from 'hono';
import { getAggregatedChartData, getJobChartData, getServerChartData, parseChartRange, type ChartPoint, type ChartRange } from '../../reports/charts.ts';
import { getDashboard } from '../../reports/dashboard.ts';
import { readCache } from '../../reports/read-cache.ts';
import { getDetail } from '../../reports/servers.ts';
import type { AppDeps } from '../deps.ts';
import type { AppEnv } from '../env.ts';
import { sendError } from '../errors.ts';
import { noStore } from '../no-store.ts';

export const DASHBOARD_CACHE_MS = 5000;

export function dashboardRoutes({ db, now = () => new Date() }: AppDeps) {
  const app = new Hono<AppEnv>();

  // `chartData` (every run of every server) grows with history, so it is only sent on request;
  // the dashboard reads /api/chart-data with the window it shows.
  // Browsers poll it and it grows with the number of jobs: the serialised body is reused until the
  // next write, for at most a few seconds.
  const dashboardCache = readCache<string>(DASHBOARD_CACHE_MS);
  app.get('/api/dashboard', noStore, async (c) => {
    c.header('Expires', '0');
    if (c.req.query('includeChartData') === 'true') {
      return c.json({ ...(await getDashboard(db, now())), chartData: await getAggregatedChartData(db, null) });
    }
    const at = now();
    const body = await dashboardCache(db, at, async () => JSON.stringify(await getDashboard(db, at)));
    return c.body(body, 200, { 'Content-Type': 'application/json' });
  });

  app.get('/api/detail/:serverId', noStore, async (c) => {
    c.header('Expires', '0');
    const id = c.req.param('serverId');
    const detail = await getDetail(db, id, now());
    return detail ? c.json(detail) : sendError(c, 404, 'Server not found', `No server found with id: ${id}`);
  });

  // Parses the range, runs the query, and turns "no such server/job" into a 404.
  const chart = (load: (c: Context<AppEnv>, range: ChartRange | null) => Promise<ChartPoint[] | null>) => async (c: Context<AppEnv>) => {
    const parsed = parseChartRange({ startDate: c.req.query('startDate'), endDate: c.req.query('endDate') });
    if ('error' in parsed) return sendError(c, 400, parsed.error, parsed.message);
    const points = await load(c, parsed.range);
    if (!points) return sendError(c, 404, 'Not found', `No such server or backup job: ${c.req.path}`);
    return c.json(points);
  };

  app.get('/api/chart-data/aggregated', chart((_c, range) => getAggregatedChartData(db, range)));
  app.get('/api/chart-data/server/:serverId', chart((c, range) => getServerChartData(db, c.req.param('serverId')!, range)));
  app.get(
    '/api/chart-data/server/:serverId/backup/:backupName',
    chart((c, range) => getJobChartData(db, c.req.param('serverId')!, c.req.param('backupName')!, range)),
  );
  return app;
}
