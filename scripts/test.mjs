// `npm test`: build the executable (end-to-end tests run the real daemon), then run every
// *.test.ts under src/ and test/ with node:test through tsx. Extra args go to node --test.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from '../esbuild.config.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));

function findTests(dir) {
  return readdirSync(path.join(root, dir), { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.test.ts'))
    .map((e) => path.relative(root, path.join(e.parentPath ?? e.path, e.name)))
    .sort();
}

await build();
const args = process.argv.slice(2);
const files = args.some((a) => !a.startsWith('-')) ? [] : [...findTests('src'), ...findTests('test')];
const result = spawnSync(process.execPath, ['--import', 'tsx', '--test', ...args, ...files], {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, TZ: process.env.TZ ?? 'UTC' },
});
process.exit(result.status ?? 1);
