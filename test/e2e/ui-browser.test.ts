import { randomBytes } from 'node:crypto';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBusyboxImage } from './support/busybox-image.js';
import { launchBrowser, measureFirstLoad, recordNetwork, screenshot, secretForms, type NetworkLog } from './support/browser.js';
import { converged, eventually, killDaemons, openEventStream, startDaemon, status, type DaemonProcess } from './support/daemon.js';
import { createE2eApp, execIn, type E2eApp } from './support/harness.js';

/**
 * The web UI in Debian's chromium against a real daemon on the real engine (issue 19 "Done
 * when"): signed out nothing but the login form; the overview Synced and Healthy with the
 * Deployment and its pods; a pod turning unready and a refused revision's file:line appearing
 * without a reload, within 2 s of the daemon seeing them; rollout
 * history and Undo; logs streaming; no token in any URL and no Secret value in any answer; the
 * first load's bytes and time to interactive.
 */
const TOKEN = `ui-token-${randomBytes(12).toString('hex')}`;
const SECRET_VALUE = `ui-secret-${randomBytes(9).toString('hex')}`;
const BYTE_BUDGET = 300 * 1024;
/** The issue's budget for time to interactive: measured and printed beside it here, not asserted (a timed assertion fails on a busy host, not on a slow page). */
const INTERACTIVE_BUDGET_MS = 1000;

const manifests = (image: string, version: string): Record<string, string> => ({
  'namespace.yaml': 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n',
  'secret.yaml': `apiVersion: v1\nkind: Secret\nmetadata:\n  name: web-secret\n  namespace: shop\nstringData:\n  API_TOKEN: ${SECRET_VALUE}\n`,
  'service.yaml': 'apiVersion: v1\nkind: Service\nmetadata:\n  name: web\n  namespace: shop\nspec:\n  selector: {app: web}\n  ports:\n  - port: 8080\n',
  'web.yaml': `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
  annotations: {kubernetes.io/change-cause: "version ${version}"}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      terminationGracePeriodSeconds: 1
      containers:
      - name: web
        image: ${image}
        command: ['sh', '-c', 'mkdir -p /www && echo ok > /www/index.html && httpd -p 8080 -h /www; i=0; while true; do echo "tick $i $VERSION"; i=$((i+1)); sleep 1; done']
        env:
        - {name: VERSION, value: ${version}}
        - name: API_TOKEN
          valueFrom: {secretKeyRef: {name: web-secret, key: API_TOKEN}}
        ports:
        - containerPort: 8080
`,
  // Ready while /tmp/ready exists: the test removes it to turn the pod unready, and puts it back.
  'probed.yaml': `apiVersion: apps/v1
kind: Deployment
metadata:
  name: probed
  namespace: shop
spec:
  replicas: 1
  selector: {matchLabels: {app: probed}}
  template:
    metadata: {labels: {app: probed}}
    spec:
      terminationGracePeriodSeconds: 1
      containers:
      - name: probe
        image: ${image}
        command: ['sh', '-c', 'touch /tmp/ready; i=0; while true; do echo "tick $i"; i=$((i+1)); sleep 1; done']
        readinessProbe:
          exec: {command: ['test', '-f', '/tmp/ready']}
          periodSeconds: 1
          failureThreshold: 1
`,
});
/** The issue's promise for live updates: a refused revision, a pod turning unready appear within 2 s. */
const LIVE_BUDGET_MS = 2000;
// Line 7: replicas is not a number.
const BROKEN = 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: other\n  namespace: shop\nspec:\n  replicas: many\n  selector: {matchLabels: {app: other}}\n  template:\n    metadata: {labels: {app: other}}\n    spec:\n      containers:\n      - {name: c, image: x}\n';

let t: E2eApp;
let daemon: DaemonProcess;
let browser: Browser;
let page: Page;
let net: NetworkLog;
let image: string;
let tokenFile: string;
const daemonArgs = () => ['--watch', t.dir, '--app', t.app, '--state-dir', t.stateDir, '--token-file', tokenFile, '--debounce', '100ms'];

beforeAll(async () => {
  t = await createE2eApp('ui-browser');
  image = await ensureBusyboxImage(t.docker);
  await t.write(manifests(image, 'v1'));
  tokenFile = join(t.dir, '..', 'api-token');
  await writeFile(tokenFile, `${TOKEN}\n`, { mode: 0o600 });
  daemon = await startDaemon(daemonArgs(), { token: TOKEN });
  await eventually('the first revision synced', async () => {
    const s = await status(daemon);
    return s.sync.state === 'Synced' && s.sync.appliedRevision !== null && !s.loop.running ? s : undefined;
  }, 120_000);
  browser = await launchBrowser();
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  net = recordNetwork(page);
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await killDaemons();
  await t?.cleanup();
});

/** A mark in the page's window: a reload would wipe it, so a live update must leave it. */
const mark = () => page.evaluate('window.berthTestMark = 1');
const marked = () => page.evaluate('window.berthTestMark === 1');

/**
 * Starts watching the page for an element matching `selector` whose text matches `pattern`;
 * `shownAt()` then resolves with the browser's clock (this host's wall clock, as the daemon's)
 * at the DOM change that made it so, not at whenever a poll noticed.
 */
async function watchFor(selector: string, pattern: RegExp): Promise<{ shownAt(): Promise<number> }> {
  await page.evaluate(`(window.berthShown = new Promise((resolve) => {
    const seen = () => [...document.querySelectorAll(${JSON.stringify(selector)})].some((e) => new RegExp(${JSON.stringify(pattern.source)}).test(e.textContent ?? ''));
    if (seen()) return resolve(Date.now());
    const observer = new MutationObserver(() => { if (seen()) { observer.disconnect(); resolve(Date.now()); } });
    observer.observe(document.body, { subtree: true, childList: true, characterData: true });
  }), undefined)`);
  return { shownAt: () => page.evaluate('window.berthShown') as Promise<number> };
}

describe('the web UI in a browser, against a real daemon', () => {
  it('first load: under the byte budget; time to interactive measured against its budget', async () => {
    const first = await measureFirstLoad(browser, daemon.url);
    process.stdout.write(`ui first load: ${first.assetBytes} bytes in ${first.assets.length} answers (${first.assets.map((a) => `${new URL(a.url).pathname} ${a.bytes}`).join(', ')}); interactive after ${first.interactiveMs.toFixed(0)} ms (budget ${INTERACTIVE_BUDGET_MS} ms)\n`);
    expect(first.assetBytes).toBeGreaterThan(0);
    expect(first.assetBytes).toBeLessThan(BYTE_BUDGET);
    expect(first.interactiveMs).toBeGreaterThan(0);
  });

  it('signed out, shows nothing but the login form; a wrong token is refused', async () => {
    await page.goto(daemon.url);
    await page.getByLabel('API token').waitFor();
    expect(await page.evaluate('document.activeElement?.id')).toBe('token');
    await screenshot(page, 'login');
    expect(await page.locator('nav').count()).toBe(0);
    expect(await page.locator('main').textContent()).not.toContain('shop');
    const api = net.exchanges.filter((e) => new URL(e.url).pathname.startsWith('/api/'));
    expect(api.length).toBeGreaterThan(0);
    expect(api.every((e) => e.status === 401), JSON.stringify(api.map((e) => [e.url, e.status]))).toBe(true);

    await page.getByLabel('API token').fill('not-the-token');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText('The daemon refused this token.').waitFor();
    expect(await page.locator('nav').count()).toBe(0);
  });

  it('with the token, the overview shows the app Synced and Healthy, its Deployment and pods', async () => {
    await page.getByLabel('API token').fill(TOKEN);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.locator('#sync-state').textContent(), { timeout: 20_000 }).toBe('Synced');
    // The form that had the focus is gone: the page's heading takes it, so a screen reader says where it is.
    await expect.poll(() => page.evaluate('document.activeElement?.tagName')).toBe('H1');
    await expect.poll(() => page.locator('#app-health').textContent(), { timeout: 30_000 }).toBe('Healthy');
    await page.getByRole('link', { name: 'shop/web', exact: true }).waitFor();
    const pods = ((await daemon.api('/api/v1/resources?kind=Pod&namespace=shop')).body as { items: Array<{ metadata: { name: string } }> }).items.filter((p) => p.metadata.name.startsWith('web-'));
    expect(pods.length).toBe(2);
    for (const p of pods) await page.getByRole('link', { name: p.metadata.name, exact: true }).waitFor();
    await expect.poll(() => page.locator('.live').textContent()).toBe('Live');
    await screenshot(page, 'overview');
  });

  it('a pod turning unready reaches the page without a reload, within 2 s of the daemon seeing it', async () => {
    await mark();
    const pods = (await daemon.api('/api/v1/resources?kind=Pod&namespace=shop')).body as { items: Array<{ metadata: { name: string } }> };
    const pod = pods.items.map((p) => p.metadata.name).find((n) => n.startsWith('probed-'))!;
    const container = `berth_${t.app}_shop_${pod}_probe`;
    await page.locator('ul.pods li').filter({ hasText: pod }).filter({ hasText: 'ready 1/1' }).waitFor({ timeout: 30_000 });
    const stream = await openEventStream(daemon, TOKEN);
    try {
      const shown = await watchFor('ul.pods li', new RegExp(`${pod}.*ready 0/1`));
      const removedAt = Date.now();
      expect((await execIn(t.docker, container, ['rm', '/tmp/ready'])).code).toBe(0);
      const shownAt = await shown.shownAt();
      // From the daemon's own word that readiness changed (the event stream's `readiness`, stamped
      // by the daemon when its prober saw the failed probe) to the page showing it: the issue's
      // promise. The probe's own period (1 s here) comes before the daemon can see anything.
      const seen = await eventually('the daemon announcing the readiness change', () => stream.frames.find((f) => f.event === 'resources' && f.reason === 'readiness' && f.sentAt >= removedAt), 10_000, 20);
      process.stdout.write(`ui: unready pod shown ${shownAt - seen.sentAt} ms after the daemon saw it (${shownAt - removedAt} ms after the file went)\n`);
      expect(shownAt - seen.sentAt).toBeLessThanOrEqual(LIVE_BUDGET_MS);
      expect(await marked()).toBe(true);
    } finally {
      stream.close();
    }
    await execIn(t.docker, container, ['touch', '/tmp/ready']);
    await page.locator('ul.pods li').filter({ hasText: pod }).filter({ hasText: 'ready 1/1' }).waitFor({ timeout: 30_000 });
  });

  it("a refused revision's file:line:col appears without a reload, within 2 s of the daemon reading it", async () => {
    await mark();
    const shown = await watchFor('#refused', /broken\.yaml:7:\d+/);
    const written = Date.now();
    await writeFile(join(t.dir, 'broken.yaml'), BROKEN);
    await page.getByText(/broken\.yaml:7:\d+/).waitFor({ timeout: 20_000 });
    const shownAt = await shown.shownAt();
    // The daemon sees a folder change when it reads the folder: after its watcher's debounce
    // (--debounce, 100 ms here), the quiet time it waits for the editor to finish writing. The
    // issue's "within 2 s" runs from there (status `source.fetchedAt`, the daemon's own clock).
    const s = await status(daemon);
    expect(s.source.revision).toBe(s.sync.failedRevision);
    const readAt = Date.parse(s.source.fetchedAt!);
    process.stdout.write(`ui: refused revision shown ${shownAt - readAt} ms after the daemon read it (${shownAt - written} ms after the write)\n`);
    expect(shownAt - readAt).toBeLessThanOrEqual(LIVE_BUDGET_MS);
    expect(await page.locator('#refused').textContent()).toContain('was refused');
    expect(await marked()).toBe(true);
    await screenshot(page, 'refused');
    await rm(join(t.dir, 'broken.yaml'));
  });

  it('a Deployment page shows its rollout history, and Undo goes back to revision 1', async () => {
    // One file rewritten in place: the daemon watches this folder, which must stay where it is.
    await writeFile(join(t.dir, 'web.yaml'), manifests(image, 'v2')['web.yaml']!);
    const revision = await eventually('the v2 revision applied', async () => {
      const s = await status(daemon);
      return s.sync.state === 'Synced' && s.sync.failedRevision === null && !s.loop.running ? s.sync.appliedRevision : undefined;
    }, 120_000);
    await converged(daemon, revision!);
    await page.getByRole('link', { name: 'shop/web', exact: true }).click();
    await page.getByRole('heading', { name: 'Rollout history' }).waitFor();
    await page.getByRole('button', { name: 'Undo to 1' }).waitFor({ timeout: 20_000 });
    await screenshot(page, 'deployment');
    const actionPosts = () => net.exchanges.filter((e) => new URL(e.url).pathname === '/api/v1/actions').length;
    const postsBefore = actionPosts();
    // An empty Replicas box is refused, naming the field; it once scaled to 0.
    await page.getByLabel('Replicas').fill('');
    await page.getByRole('button', { name: 'Scale', exact: true }).click();
    await page.getByRole('alert').filter({ hasText: /^Replicas: / }).waitFor();
    expect(await page.getByLabel('Replicas').getAttribute('aria-invalid')).toBe('true');
    // Scaling to 0 and Restart ask first; Cancel and Escape leave everything as it was.
    await page.getByLabel('Replicas').fill('0');
    await page.getByRole('button', { name: 'Scale', exact: true }).click();
    const confirmStep = page.getByRole('group', { name: /^Scale Deployment web to 0\?/ });
    await confirmStep.waitFor();
    await expect.poll(() => page.evaluate('document.activeElement?.textContent')).toBe('Confirm Scale to 0');
    await confirmStep.getByRole('button', { name: 'Cancel' }).click();
    await page.getByLabel('Replicas').fill('2');
    await page.getByRole('button', { name: 'Restart', exact: true }).click();
    await page.getByRole('group', { name: /^Restart Deployment web\?/ }).waitFor();
    await page.keyboard.press('Escape');
    await expect.poll(() => page.locator('#action-confirm').count()).toBe(0);
    expect(actionPosts()).toBe(postsBefore);
    // Undo asks too; the keyboard confirms (the focus is on Confirm).
    await page.getByRole('button', { name: 'Undo to 1' }).click();
    await page.getByRole('group', { name: /^Undo to revision 1\?/ }).waitFor();
    await expect.poll(() => page.evaluate('document.activeElement?.textContent')).toBe('Confirm Undo to revision 1');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.locator('#action-outcome').textContent(), { timeout: 90_000 }).toMatch(/^Undo to revision 1: done/);
    const pinned = await eventually('the Deployment pinned by the undo', async () => {
      const s = await status(daemon);
      return s.sync.divergences?.find((d) => d.deployment === 'Deployment/shop/web' && d.reason === 'pinned');
    });
    expect(pinned.revision).toBeGreaterThan(0);
    await screenshot(page, 'deployment-undone');
  });

  it("the tree links to every object; a Secret's page shows its values masked", async () => {
    await page.getByRole('link', { name: 'Resources' }).click();
    await page.getByRole('button', { name: /^Collapse Deployment web/ }).waitFor();
    // Depth shows: each level is indented further than its parent's.
    const indent = (kind: string) => page.locator('.tree .row').filter({ has: page.locator('.kind', { hasText: new RegExp(`^${kind}$`) }) }).first().evaluate((el) => el.querySelector('.row-main .kind')!.getBoundingClientRect().left);
    const [ns, deploymentLeft, rsLeft, podLeft] = [await indent('Namespace'), await indent('Deployment'), await indent('ReplicaSet'), await indent('Pod')];
    expect(deploymentLeft).toBeGreaterThan(ns);
    expect(rsLeft).toBeGreaterThan(deploymentLeft);
    expect(podLeft).toBeGreaterThan(rsLeft);
    await screenshot(page, 'tree');
    await page.locator('.tree .row').filter({ hasText: 'Secret' }).getByRole('link', { name: 'web-secret' }).click();
    await page.getByRole('heading', { name: 'YAML' }).waitFor();
    const yaml = (await page.locator('pre.yaml').textContent()) ?? '';
    expect(yaml).toContain('API_TOKEN');
    for (const f of secretForms(SECRET_VALUE)) expect(yaml).not.toContain(f);
    await page.goBack();
    await page.getByRole('button', { name: /^Collapse Deployment web/ }).waitFor();
  });

  it("a pod's logs stream into the page", async () => {
    // A running pod of the Deployment (the undo may still be replacing the others).
    const pod = page.locator('.tree .row').filter({ hasText: 'Pod' }).filter({ hasText: 'Running' }).getByRole('link').first();
    await pod.click();
    await page.getByRole('heading', { name: 'Logs' }).waitFor();
    const first = await eventually('a tick line', async () => ((await page.locator('#logs-output').textContent()) ?? '').match(/tick (\d+)/g)?.at(-1));
    // Followed: a later line arrives on the same stream.
    await eventually('a later tick line', async () => (((await page.locator('#logs-output').textContent()) ?? '').match(/tick (\d+)/g)?.at(-1) !== first ? true : undefined), 10_000);
    await screenshot(page, 'pod');
  });

  it('a terminal in the pod runs a command over the exec WebSocket, behind a one-time ticket', async () => {
    await page.getByRole('button', { name: 'Open terminal' }).click();
    await page.getByText('Connected.').waitFor({ timeout: 20_000 });
    await page.keyboard.type('echo ui-exec-$((6*7))');
    await page.keyboard.press('Enter');
    await page.locator('.xterm-rows').getByText('ui-exec-42').waitFor({ timeout: 10_000 });
    await screenshot(page, 'terminal');
    await page.keyboard.type('exit 3');
    await page.keyboard.press('Enter');
    await page.getByText('The command exited with code 3.').waitFor({ timeout: 10_000 });
    const socket = net.sockets.find((u) => new URL(u).pathname === '/api/v1/exec');
    expect(socket).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/api\/v1\/exec\?ticket=[^&]+$/);
  });

  it('the diff page shows what the next sync would change; Sync now asks for a pass; the events page lists passes', async () => {
    // A folder revision that deletes waits until the folder has been quiet for 2 s (docs/daemon.md):
    // writes to a file beside the manifests keep it waiting, so the page can show the pending delete.
    const busy = setInterval(() => void writeFile(join(t.dir, 'notes.txt'), String(Date.now())), 300);
    try {
      await rm(join(t.dir, 'service.yaml'));
      await page.getByRole('link', { name: 'Diff' }).click();
      await page.getByRole('heading', { name: /delete Service shop\/web/ }).waitFor({ timeout: 20_000 });
      // The pin the undo above set is kept, and said so (docs/decisions.md "OutOfSync").
      expect(await page.locator('#diff-summary').textContent()).toBe('Summary: 0 to add, 0 to change, 1 to delete; 1 divergence kept (OutOfSync)');
      await screenshot(page, 'diff');
    } finally {
      clearInterval(busy);
    }
    await page.getByRole('button', { name: 'Sync now' }).click();
    await page.getByText('Sync requested').waitFor();
    await page.getByText('Summary: no differences; 1 divergence kept (OutOfSync)').waitFor({ timeout: 20_000 });
    await page.getByRole('link', { name: 'Events' }).click();
    await page.getByRole('heading', { name: 'Reconcile passes' }).waitFor();
    await page.locator('table').first().getByText('synced').first().waitFor({ timeout: 20_000 });
    await screenshot(page, 'events');
  });

  it('on a 375 px phone the overview fits without sideways scrolling', async () => {
    const phone = await browser.newPage({ viewport: { width: 375, height: 812 } });
    await phone.goto(daemon.url);
    await phone.getByLabel('API token').fill(TOKEN);
    await phone.getByRole('button', { name: 'Sign in' }).click();
    await phone.locator('#sync-state').waitFor();
    await phone.getByRole('link', { name: 'shop/web', exact: true }).waitFor();
    expect(await phone.evaluate('document.documentElement.scrollWidth <= window.innerWidth')).toBe(true);
    await screenshot(phone, 'phone-overview');
    await phone.close();
  });

  it('the live stream reconnects when the daemon restarts, and the page catches up', async () => {
    await page.getByRole('link', { name: 'Overview' }).click();
    await expect.poll(() => page.locator('.live').textContent()).toBe('Live');
    await mark();
    daemon.kill('SIGTERM');
    await daemon.exited;
    await expect.poll(() => page.locator('.live').textContent(), { timeout: 10_000 }).toBe('Reconnecting…');
    daemon = await startDaemon(daemonArgs(), { token: TOKEN, port: daemon.port });
    await expect.poll(() => page.locator('.live').textContent(), { timeout: 30_000 }).toBe('Live');
    await page.getByRole('link', { name: 'shop/web', exact: true }).waitFor();
    expect(await marked()).toBe(true);
  });

  it('a token the daemon no longer accepts signs the page out', async () => {
    await writeFile(tokenFile, `${TOKEN}-rotated\n`);
    daemon.kill('SIGTERM');
    await daemon.exited;
    daemon = await startDaemon(daemonArgs(), { token: `${TOKEN}-rotated`, port: daemon.port });
    await page.getByText('The daemon no longer accepts the token; sign in again.').waitFor({ timeout: 30_000 });
    expect(await page.locator('nav').count()).toBe(0);
    expect(await page.evaluate('sessionStorage.length')).toBe(0);
    await page.getByLabel('API token').fill(`${TOKEN}-rotated`);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.locator('#sync-state').waitFor();
  });

  it('sign out returns to the login form', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('API token').waitFor();
    expect(await page.locator('nav').count()).toBe(0);
    expect(await page.evaluate('sessionStorage.length')).toBe(0);
  });

  it("no request carried the token in its URL and no answer the UI read held the Secret's value", async () => {
    await net.settle();
    const urls = [...net.exchanges.map((e) => e.url), ...net.sockets];
    expect(urls.length).toBeGreaterThan(10);
    for (const url of urls) expect(url).not.toContain(TOKEN);
    const forms = secretForms(SECRET_VALUE);
    const read = net.exchanges.filter((e) => e.body !== undefined);
    expect(read.some((e) => new URL(e.url).pathname === '/api/v1/object')).toBe(true);
    for (const e of read) for (const f of forms) expect(e.body!.includes(f), `${e.url} holds the Secret's value`).toBe(false);
  });

  it('without --token-file the page says it is read-only and offers no logs, terminal or actions', async () => {
    // A page signed in while the daemon had a token learns, once the daemon is back without one.
    await page.getByLabel('API token').fill(`${TOKEN}-rotated`);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('link', { name: 'shop/web', exact: true }).click();
    await page.getByRole('button', { name: 'Restart', exact: true }).waitFor();
    daemon.kill('SIGTERM');
    await daemon.exited;
    daemon = await startDaemon(daemonArgs().filter((a, i, all) => a !== '--token-file' && all[i - 1] !== '--token-file'), { port: daemon.port });
    await page.locator('#read-only').waitFor({ timeout: 30_000 });
    await page.locator('#actions-off').waitFor();
    expect(await page.getByRole('button', { name: 'Restart', exact: true }).count()).toBe(0);
    const open = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    try {
      await open.goto(daemon.url);
      await open.locator('#read-only').getByText('--token-file').waitFor();
      expect(await open.getByLabel('API token').count()).toBe(0);
      await open.getByRole('link', { name: 'shop/web', exact: true }).click();
      await open.locator('#actions-off').waitFor();
      await open.getByRole('heading', { name: 'Rollout history' }).waitFor();
      for (const name of ['Restart', 'Pause rollout', 'Scale']) expect(await open.getByRole('button', { name, exact: true }).count()).toBe(0);
      expect(await open.getByRole('button', { name: /^Undo to / }).count()).toBe(0);
      await screenshot(open, 'read-only');
      const pods = (await daemon.api('/api/v1/resources?kind=Pod&namespace=shop')).body as { items: Array<{ metadata: { name: string } }> };
      const pod = pods.items.map((p) => p.metadata.name).find((n) => n.startsWith('web-'))!;
      await open.goto(`${daemon.url}/resources/Pod/shop/${pod}`);
      await open.locator('#logs-off').waitFor();
      expect(await open.getByRole('button', { name: 'Open terminal' }).count()).toBe(0);
      expect(await open.locator('#logs-output').count()).toBe(0);
    } finally {
      await open.close();
    }
  });
});
