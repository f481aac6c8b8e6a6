/**
 * The built front-end (vite build → dist/dashboard/), read into memory once: a few hashed files. Hashed assets are
 * cached for a year; index.html never, so a new build shows at the next load. Nothing is fetched from elsewhere: the
 * Content-Security-Policy allows this origin only.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml', '.png': 'image/png', '.ico': 'image/x-icon', '.json': 'application/json', '.woff2': 'font/woff2',
};

/** The policy of every dashboard page: scripts, styles, images and requests to this origin only; no framing. */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'", "script-src 'self'", "style-src 'self' 'unsafe-inline'", "img-src 'self' data:", "connect-src 'self'",
  "object-src 'none'", "base-uri 'none'", "form-action 'self'", "frame-ancestors 'none'",
].join('; ');

export interface Asset {
  body: Buffer;
  type: string;
  /** Under assets/ with a content hash in its name: cached for good. */
  immutable: boolean;
}

/** Where the build is: dist/dashboard/ beside dist/service/ (the package), or the repository's dist/ from src/. */
export function defaultAssetsDir(): string {
  const candidates = ['../../dashboard/', '../../../dist/dashboard/'].map((p) => fileURLToPath(new URL(p, import.meta.url)));
  return candidates.find((d) => existsSync(join(d, 'index.html'))) ?? candidates[0]!;
}

/** Every file under `dir` by URL path ('index.html', 'assets/index-3f2a.js'); empty when the dashboard is not built. */
export function loadAssets(dir: string): Map<string, Asset> {
  const out = new Map<string, Asset>();
  if (!existsSync(dir)) return out;
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const path = join(d, name);
      if (statSync(path).isDirectory()) walk(path);
      else {
        const url = relative(dir, path).split(sep).join('/');
        out.set(url, { body: readFileSync(path), type: TYPES[extname(name)] ?? 'application/octet-stream', immutable: url.startsWith('assets/') });
      }
    }
  };
  walk(dir);
  return out;
}
