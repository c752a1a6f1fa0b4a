// `npm start`: build when the bundle is missing or older than the sources, then run the CLI.
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const bundle = path.join(root, 'dist/duplistatus.mjs');

function newestSource(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestSource(full) : statSync(full).mtimeMs);
  }
  return newest;
}

function stale() {
  try {
    const built = statSync(bundle).mtimeMs;
    return ['src', 'web', 'drizzle'].some((dir) => newestSource(path.join(root, dir)) > built);
  } catch {
    return true;
  }
}

if (stale()) {
  const { build } = await import('../esbuild.config.mjs');
  await build();
}
await import(bundle);
