import { realpath, readFile, stat } from 'node:fs/promises';
import { extname, join, sep } from 'node:path';
import type { ApiResponse } from './http.js';

/**
 * The web UI's files (dist/ui, built by `npm run build`) served at `/` and `/assets/*`. The shell
 * holds no data (the pages fetch it with the bearer token), so these routes are open; only the
 * Host check applies. Every answer carries the UI's security headers.
 */

/** A strict policy: the UI's own scripts and styles only, no inline code, never framed. */
export const UI_SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy': "default-src 'self'; connect-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
};

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.woff2': 'font/woff2',
  '.webmanifest': 'application/manifest+json',
};

/** A top-level file Vite copies from public/ (favicon, robots.txt), by extension. */
const TOP_LEVEL_FILE = /^[A-Za-z0-9][A-Za-z0-9_-]*(\.[A-Za-z0-9_-]+)*\.(ico|svg|png|txt|webmanifest)$/;

export type StaticTarget = { file: string; immutable: boolean } | { spa: true } | { refuse: true };

/**
 * Which file of the UI a request path (as the URL parser left it: dot segments resolved,
 * percent-escapes kept) means, relative to the UI's directory. `/assets/…` is a file under
 * assets/, each segment decoded and refused when it is empty, a dot segment, hidden, or holds
 * a slash, backslash or NUL once decoded (`..%2f` cannot climb out). `/`, and any other path
 * outside `/api/` the client router owns (`/resources/...`), is index.html.
 */
export function resolveStaticPath(path: string): StaticTarget {
  if (path.startsWith('/assets/')) {
    const segments = path.slice('/assets/'.length).split('/');
    const decoded: string[] = [];
    for (const s of segments) {
      let d: string;
      try {
        d = decodeURIComponent(s);
      } catch {
        return { refuse: true };
      }
      if (d === '' || d.startsWith('.') || /[/\\\0]/.test(d)) return { refuse: true };
      decoded.push(d);
    }
    return { file: ['assets', ...decoded].join('/'), immutable: true };
  }
  const name = path.slice(1);
  if (!name.includes('/') && TOP_LEVEL_FILE.test(name)) return { file: name, immutable: false };
  // The API's own paths are never the client router's (the server answers them as JSON before this).
  if (path === '/api' || path.startsWith('/api/')) return { refuse: true };
  return { spa: true };
}

/**
 * The answer for a static path: the file, or index.html for client routes. A file must resolve
 * (symlinks followed) inside the UI's directory: a symlink out of dist/ui is refused like a
 * missing file. Without a built UI, `/` says how to build it (503).
 */
export async function serveStatic(root: string, path: string): Promise<ApiResponse> {
  const notFound: ApiResponse = { status: 404, text: 'not found\n', contentType: 'text/plain; charset=utf-8', headers: UI_SECURITY_HEADERS };
  const target = resolveStaticPath(path);
  if ('refuse' in target) return notFound;
  let realRoot: string;
  try {
    realRoot = await realpath(root);
  } catch {
    return { status: 503, text: 'the web UI is not built: run `npm run build` (it writes dist/ui), then restart the daemon\n', contentType: 'text/plain; charset=utf-8', headers: UI_SECURITY_HEADERS };
  }
  const rel = 'spa' in target ? 'index.html' : target.file;
  const file = await insideRoot(realRoot, rel);
  if (!file) {
    if ('spa' in target) return { status: 503, text: 'the web UI is not built: run `npm run build` (it writes dist/ui/index.html), then restart the daemon\n', contentType: 'text/plain; charset=utf-8', headers: UI_SECURITY_HEADERS };
    return notFound;
  }
  const bytes = await readFile(file);
  // Hashed asset names change with their content: cached for good. index.html names them: always revalidated.
  const cache = 'spa' in target || !target.immutable ? 'no-cache' : 'public, max-age=31536000, immutable';
  return { status: 200, bytes, contentType: TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream', headers: { ...UI_SECURITY_HEADERS, 'Cache-Control': cache } };
}

/** The real path of `rel` under `realRoot` when it is a regular file there, symlinks resolved. */
async function insideRoot(realRoot: string, rel: string): Promise<string | undefined> {
  try {
    const real = await realpath(join(realRoot, rel));
    if (!real.startsWith(realRoot + sep)) return undefined;
    return (await stat(real)).isFile() ? real : undefined;
  } catch {
    return undefined;
  }
}
