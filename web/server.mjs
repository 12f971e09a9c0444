/**
 * Serves the playground (web/) on localhost, cross-origin isolated (COOP/COEP headers), as the
 * browser needs for SharedArrayBuffer and so for the step engine's threads. Files outside web/
 * are never served.
 *
 * Run: npm run web   (builds the bundle, then serves http://localhost:8080/)
 */
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { dirname, join, normalize, extname, sep } from 'node:path';

const root = dirname(fileURLToPath(import.meta.url));
const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.map': 'application/json', '.css': 'text/css', '.png': 'image/png', '.svg': 'image/svg+xml' };

/**
 * Starts the server; resolves with it and its port (0 picks a free one). `isolated: false` leaves
 * out the COOP/COEP headers (the page then runs on one thread and says why; tests use it).
 *
 * @example
 * const { server, port } = await servePlayground(0);
 */
export function servePlayground(port = 8080, host = '127.0.0.1', { isolated = true } = {}) {
  const server = createServer(async (req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    const file = normalize(join(root, path === '/' ? 'index.html' : path));
    if (!file.startsWith(root + sep)) {
      res.writeHead(403).end();
      return;
    }
    try {
      const body = await readFile(file);
      const isolation = isolated ? { 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp' } : {};
      res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', ...isolation, 'cache-control': 'no-store' });
      res.end(body);
    } catch {
      res.writeHead(404).end('not found');
    }
  });
  return new Promise((resolve) => server.listen(port, host, () => resolve({ server, port: server.address().port })));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { buildPlayground } = await import('./build.mjs');
  await buildPlayground();
  const port = Number(process.env.PORT ?? 8080);
  const { port: p } = await servePlayground(port);
  console.log(`BrainTS playground: http://localhost:${p}/  (Ctrl-C stops)`);
}
