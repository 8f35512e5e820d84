import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page, type Request } from 'playwright-core';

/**
 * Debian's chromium driven by playwright-core (no browser download): the browser tests run
 * what a person runs. CI installs it with scripts/setup-host.sh.
 */
export const CHROMIUM = process.env.BERTH_CHROMIUM ?? '/usr/bin/chromium';
export const UI_DIST = fileURLToPath(new URL('../../../dist/ui/index.html', import.meta.url));
export const SCREENSHOTS = fileURLToPath(new URL('../../../docs/ui/', import.meta.url));

export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: run scripts/setup-host.sh (it installs Debian's chromium)`);
  if (!existsSync(UI_DIST)) throw new Error(`${UI_DIST} is missing: run npm run build first (the daemon serves the built UI)`);
  // --no-sandbox: CI runs as root, where chromium refuses its sandbox.
  return chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
}

export interface Exchange {
  url: string;
  method: string;
  status?: number;
  contentType?: string;
  /** Set for answers that ended (not the live stream or a followed log while it runs). */
  body?: Buffer;
  bytes?: number;
}

/**
 * Everything the page asked and got, to check what travelled: URLs (the token must be in
 * none), WebSocket URLs, and every finished answer's bytes (no Secret value in any).
 */
export interface NetworkLog {
  exchanges: Exchange[];
  sockets: string[];
  /** Waits for the bodies still being read. */
  settle(): Promise<void>;
}

export function recordNetwork(page: Page): NetworkLog {
  const exchanges: Exchange[] = [];
  const sockets: string[] = [];
  const pending: Array<Promise<void>> = [];
  const byRequest = new Map<Request, Exchange>();
  page.on('request', (req) => {
    const e: Exchange = { url: req.url(), method: req.method() };
    byRequest.set(req, e);
    exchanges.push(e);
  });
  page.on('requestfinished', (req) => {
    const e = byRequest.get(req);
    if (!e) return;
    pending.push(
      (async () => {
        const res = await req.response();
        if (!res) return;
        e.status = res.status();
        e.contentType = res.headers()['content-type'];
        e.body = await res.body().catch(() => undefined);
        e.bytes = (await req.sizes()).responseBodySize;
      })(),
    );
  });
  page.on('response', (res) => {
    const e = byRequest.get(res.request());
    if (e) e.status = res.status();
  });
  page.on('websocket', (ws) => sockets.push(ws.url()));
  return { exchanges, sockets, settle: async () => void (await Promise.all(pending)) };
}

/** Every form a secret value may travel in: plain, base64 (with and without padding), JSON-escaped. */
export function secretForms(value: string): string[] {
  const b64 = Buffer.from(value, 'utf8').toString('base64');
  return [value, b64, b64.replace(/=+$/, ''), JSON.stringify(value).slice(1, -1)];
}

/** A screenshot into docs/ui/ when BERTH_UI_SCREENSHOTS=1 (so CI runs never rewrite the docs). */
export async function screenshot(page: Page, name: string): Promise<void> {
  if (process.env.BERTH_UI_SCREENSHOTS !== '1') return;
  await mkdir(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: `${SCREENSHOTS}${name}.png`, fullPage: true });
}

export interface FirstLoad {
  /** Bytes of every answer the first load fetched: the page, its scripts and styles. */
  assetBytes: number;
  assets: Array<{ url: string; bytes: number }>;
  /** From navigation start until the login form could take input (its performance mark). */
  interactiveMs: number;
}

/** Loads `url` in a fresh page with an empty cache and measures it. */
export async function measureFirstLoad(browser: Browser, url: string): Promise<FirstLoad> {
  const context = await browser.newContext();
  const page = await context.newPage();
  const net = recordNetwork(page);
  await page.goto(url, { waitUntil: 'load' });
  const interactiveMs = await page.evaluate(
    () =>
      new Promise<number>((resolve) => {
        const find = () => performance.getEntriesByName('berth:login-ready')[0]?.startTime;
        const poll = () => (find() !== undefined ? resolve(find()!) : setTimeout(poll, 10));
        poll();
      }),
  );
  await net.settle();
  const assets = net.exchanges.filter((e) => !new URL(e.url).pathname.startsWith('/api/')).map((e) => ({ url: e.url, bytes: e.bytes ?? 0 }));
  await context.close();
  return { assetBytes: assets.reduce((n, a) => n + a.bytes, 0), assets, interactiveMs };
}
