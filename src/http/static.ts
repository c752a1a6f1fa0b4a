// Serves the embedded dashboard; unknown non-API paths get index.html (client-side routing).
import type { Context } from 'hono';
import { webAssets } from './web-assets.ts';

export function serveWeb(c: Context) {
  const asset = webAssets[c.req.path] ?? webAssets['/index.html'];
  if (!asset) return c.text('Dashboard not built: run `npm run build`.', 404);
  const immutable = c.req.path.startsWith('/assets/');
  return c.body(asset.body as Uint8Array<ArrayBuffer>, 200, {
    'Content-Type': asset.contentType,
    'Cache-Control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
  });
}
