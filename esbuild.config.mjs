// Builds the dashboard, then ONE server bundle (dist/duplistatus.mjs) that embeds it.
// The SQL migrations are embedded through src/db/migrations.gen.ts.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import * as esbuild from 'esbuild';

const root = path.dirname(new URL(import.meta.url).pathname);
const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));

const CONTENT_TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
};

async function buildWeb() {
  const result = await esbuild.build({
    absWorkingDir: root,
    entryPoints: { main: 'web/main.tsx' },
    outdir: 'dist/web/assets',
    bundle: true,
    minify: true,
    format: 'esm',
    target: 'es2022',
    jsx: 'automatic',
    jsxImportSource: 'preact',
    write: false,
    logLevel: 'warning',
  });
  const assets = { '/index.html': readFileSync(path.join(root, 'web/index.html')) };
  for (const file of result.outputFiles) {
    assets[`/assets/${path.basename(file.path)}`] = Buffer.from(file.contents);
  }
  return assets;
}

// Replaces src/http/web-assets.ts with a module that holds the built files.
function embedWeb(assets) {
  const entries = Object.entries(assets).map(([url, body]) => {
    const type = CONTENT_TYPES[path.extname(url)] ?? 'application/octet-stream';
    return `${JSON.stringify(url)}: { contentType: ${JSON.stringify(type)}, body: Buffer.from(${JSON.stringify(body.toString('base64'))}, 'base64') }`;
  });
  return {
    name: 'embed-web',
    setup(build) {
      build.onLoad({ filter: /src[\\/]http[\\/]web-assets\.ts$/ }, () => ({
        contents: `export const webAssets = {\n${entries.join(',\n')}\n};`,
        loader: 'js',
      }));
    },
  };
}

export async function build() {
  const assets = await buildWeb();
  await esbuild.build({
    absWorkingDir: root,
    entryPoints: ['src/main.ts'],
    outfile: 'dist/duplistatus.mjs',
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    // The native libSQL addon loads its platform binary at run time: keep it a real dependency.
    external: ['libsql'],
    // CJS dependencies inside an ESM bundle still call require().
    banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
    define: { __VERSION__: JSON.stringify(pkg.version) },
    plugins: [embedWeb(assets)],
    sourcemap: 'linked',
    logLevel: 'warning',
  });
}

if (process.argv[1] === new URL(import.meta.url).pathname) {
  const started = Date.now();
  await build();
  console.log(`built dist/duplistatus.mjs in ${Date.now() - started} ms`);
}
