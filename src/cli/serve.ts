// `duplistatus serve`: run the daemon until SIGTERM/SIGINT.
import type { Command } from 'commander';
import { loadConfig, type ConfigFlags } from '../config.ts';
import { startServer } from '../server.ts';

export function registerServe(program: Command) {
  program
    .command('serve')
    .description('start the HTTP server (dashboard, API, Duplicati uploads)')
    .option('-p, --port <port>', 'port to listen on (env PORT, default 9666)')
    .option('--host <host>', 'address to bind (env HOST, default 0.0.0.0)')
    .option('--data-dir <dir>', 'data directory (env DATA_DIR, default ./data)')
    .option('--database-url <url>', 'file:… or libsql://… / https://… (env DATABASE_URL)')
    .action(async (flags: ConfigFlags) => {
      const config = loadConfig(flags);
      // Handlers first: a signal during start-up waits for the server, then stops it cleanly.
      const starting = startServer(config);
      const shutdown = async (signal: string) => {
        console.log(`${signal} received, shutting down`);
        await (await starting).stop();
        process.exit(0);
      };
      process.once('SIGTERM', () => void shutdown('SIGTERM'));
      process.once('SIGINT', () => void shutdown('SIGINT'));
      // A stray rejection (e.g. a failed background task) is logged; it never takes the daemon down.
      process.on('unhandledRejection', (reason) => console.error('[daemon] unhandled rejection:', reason));
      const server = await starting;
      const where = config.databaseUrl.startsWith('file:') ? config.databaseUrl.slice(5) : 'remote libSQL';
      console.log(`duplistatus listening on http://${config.host}:${server.port} (database: ${where})`);
    });
}
