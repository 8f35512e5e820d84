import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { otherAppHint } from '../../src/cli/app-hint.js';
import type { CliIO } from '../../src/cli/context.js';
import { changeLine, parseDryRun } from '../../src/cli/dry-run.js';
import { reportError } from '../../src/cli/main.js';
import { noResources } from '../../src/cli/output/get-output.js';
import { parseResourceArgs } from '../../src/cli/resource-args.js';
import { processAlive } from '../../src/cli/process-alive.js';
import { BerthError, exitCodeFor } from '../../src/model/errors.js';
import type { Kind } from '../../src/model/types.js';
import { systemClock } from '../../src/runtime/clock.js';
import { openStore } from '../../src/runtime/store/index.js';
import { runCli } from '../support/cli.js';

/** Issue 17: exit codes and words as kubectl's, dry-run lines, help without doubled defaults, the --app hint. */
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function errorText(err: unknown): string {
  const stderr = new PassThrough();
  const chunks: Buffer[] = [];
  stderr.on('data', (c: Buffer) => chunks.push(c));
  const io: CliIO = { stdout: new PassThrough(), stderr, stdin: Readable.from([]), env: {}, cwd: '/', interrupted: new AbortController().signal };
  reportError(io, err);
  return Buffer.concat(chunks).toString('utf8');
}

describe('NotFound: kubectl words without "from server", exit 1', () => {
  it.each([
    ['logs/exec of a missing pod', new BerthError('NOT_FOUND', 'pods "nope" not found', { pod: 'nope' }), 'Error (NotFound): pods "nope" not found\n'],
    ['logs of a missing service', new BerthError('NOT_FOUND', 'services "nope" not found in namespace default', { service: 'nope' }), 'Error (NotFound): services "nope" not found in namespace default\n'],
    ['rollout of a missing Deployment', new BerthError('NOT_FOUND', 'deployments.apps "web" not found in namespace shop (app shop)', {}), 'Error (NotFound): deployments.apps "web" not found in namespace shop (app shop)\n'],
    ['a NOT_FOUND that names no object keeps error:', new BerthError('NOT_FOUND', 'pod web has no containers on the host', {}), 'error: pod web has no containers on the host\n'],
  ])('%s', (_name, err, text) => {
    expect({ text: errorText(err), code: exitCodeFor(err) }).toEqual({ text, code: 1 });
  });
});

describe('apply --dry-run as kubectl spells it', () => {
  it.each<[string | boolean | undefined, string]>([
    [undefined, 'none'],
    [true, 'client'],
    ['client', 'client'],
    ['server', 'server'],
    ['none', 'none'],
  ])('--dry-run %s is %s', (value, strategy) => {
    expect(parseDryRun(value)).toBe(strategy);
  });

  it.each([
    ['Deployment', 'web', 'configured', 'client', 'deployment.apps/web configured (dry run)'],
    ['Deployment', 'web', 'unchanged', 'client', 'deployment.apps/web unchanged (dry run)'],
    ['Service', 'web', 'created', 'client', 'service/web created (dry run)'],
    ['ConfigMap', 'old', 'pruned', 'client', 'configmap/old pruned (dry run)'],
    ['Deployment', 'web', 'configured', 'server', 'deployment.apps/web configured (server dry run)'],
    ['Deployment', 'web', 'created', 'none', 'deployment.apps/web created'],
  ] as const)('%s %s %s (%s): %s', (kind, name, change, dryRun, line) => {
    expect(changeLine(kind, name, change, dryRun)).toBe(line);
  });

  it('an unknown strategy is a usage error (exit 2) before anything is read', async () => {
    const r = await runCli(['apply', '-f', '/nonexistent.yaml', '--dry-run=maybe'], { env: { DOCKER_HOST: 'unix:///nonexistent/docker.sock' } });
    expect(r).toEqual({ code: 2, stdout: '', stderr: 'error: invalid dry-run value (maybe). Must be "none", "server", or "client".\n' });
  });
});

/** Help entries with their wrapped continuation lines joined: commander wraps at 80 columns here. */
function helpEntries(text: string): string[] {
  const out: string[] = [];
  for (const line of text.split('\n')) {
    if (/^\s{10,}\S/.test(line) && out.length) out[out.length - 1] += ` ${line.trim()}`;
    else out.push(line.trim());
  }
  return out;
}

async function allHelp(path: string[] = []): Promise<{ command: string; text: string }[]> {
  const r = await runCli([...path, '--help']);
  const found = [{ command: ['berth', ...path].join(' '), text: r.stdout }];
  const section = /Commands:\n([\s\S]*?)(?:\n\n|$)/.exec(r.stdout);
  for (const m of section?.[1]!.matchAll(/^ {2}([a-z][a-z-]*)/gm) ?? []) if (m[1] !== 'help') found.push(...(await allHelp([...path, m[1]!])));
  return found;
}

describe('--help', () => {
  it('walks every command, and no option says its default twice', async () => {
    const helps = await allHelp();
    // The walk reached the nested commands (rollout status, state rebuild), not just the top.
    expect(helps.map((h) => h.command)).toEqual(expect.arrayContaining(['berth get', 'berth rollout status', 'berth apply']));
    const doubled = helps.flatMap((h) => helpEntries(h.text).filter((e) => (e.match(/\([^()]*\bdefault\b[^()]*\)/gi) ?? []).length > 1).map((e) => `${h.command}: ${e}`));
    expect(doubled).toEqual([]);
  });

  it.each([
    ['rollout', 'status', '-w, --watch wait for the rollout to finish (default)'],
    ['get', undefined, '-n, --namespace <ns> namespace (default: $BERTH_NAMESPACE, the context\'s namespace, or "default")'],
  ])('%s %s: the words say the default once', async (cmd, sub, entry) => {
    const r = await runCli([cmd, ...(sub ? [sub] : []), '--help']);
    expect(helpEntries(r.stdout).map((e) => e.replace(/\s+/g, ' '))).toContain(entry);
  });

  it("a default the description does not say is still printed (commander's own)", async () => {
    const r = await runCli(['apply', '--help']);
    expect(helpEntries(r.stdout).map((e) => e.replace(/\s+/g, ' '))).toContain('--timeout <duration> give up waiting after this long (default: "5m")');
  });
});

describe('forgetting --app: the empty answer names the app that has objects there', () => {
  function stateWith(apps: Record<string, { kind: Kind; namespace: string; name: string }[]>) {
    const dir = mkdtempSync(join(tmpdir(), 'berth-apphint-'));
    dirs.push(dir);
    const store = openStore({ isProcessAlive: processAlive, dir, clock: systemClock });
    for (const [app, objects] of Object.entries(apps))
      for (const o of objects) {
        const key = `${o.kind}/${o.namespace}/${o.name}`;
        const object = { apiVersion: 'v1', kind: o.kind, metadata: { name: o.name, namespace: o.namespace } };
        store.upsertInventory(app, { key, kind: o.kind, namespace: o.namespace, name: o.name, specHash: 'h', object: object as never }, { sourceRevision: 'a'.repeat(40) });
      }
    return store;
  }
  const pods = (ns: string, n: number) => Array.from({ length: n }, (_, i) => ({ kind: 'Pod' as const, namespace: ns, name: `p${i}` }));

  it.each<[string, Record<string, { kind: Kind; namespace: string; name: string }[]>, Kind[], string | undefined]>([
    ['another app applied pods there', { quickstart: pods('kc', 4) }, ['Pod'], ' for app default; app quickstart has objects there: 4 Pods; use --app quickstart or BERTH_APP'],
    ['one pod', { quickstart: pods('kc', 1) }, ['Pod'], ' for app default; app quickstart has objects there: 1 Pod; use --app quickstart or BERTH_APP'],
    ['other kinds only: named by kind, what was applied (not its running pods)', { quickstart: [{ kind: 'Service', namespace: 'kc', name: 's' }, { kind: 'Deployment', namespace: 'kc', name: 'web' }] }, ['Pod'], ' for app default; app quickstart has objects there: 1 Service, 1 Deployment; use --app quickstart or BERTH_APP'],
    ['the asked kinds first', { quickstart: [{ kind: 'ConfigMap', namespace: 'kc', name: 'c' }, ...pods('kc', 2), { kind: 'Service', namespace: 'kc', name: 's' }] }, ['Service'], ' for app default; app quickstart has objects there: 1 Service, 1 ConfigMap, 2 Pods; use --app quickstart or BERTH_APP'],
    ['many kinds: four, then how many more', { quickstart: (['ConfigMap', 'Secret', 'Service', 'Deployment', 'Ingress', 'Job'] as Kind[]).map((kind) => ({ kind, namespace: 'kc', name: 'x' })) }, ['Ingress'], ' for app default; app quickstart has objects there: 1 Ingress, 1 ConfigMap, 1 Secret, 1 Service and 2 more kinds; use --app quickstart or BERTH_APP'],
    ['the other app is elsewhere', { quickstart: pods('other', 4) }, ['Pod'], undefined],
    ['only the chosen app', { default: pods('kc', 2) }, ['Pod'], undefined],
  ])('%s', (_name, apps, kinds, hint) => {
    const store = stateWith(apps);
    try {
      expect(otherAppHint(store, 'default', kinds, 'kc')).toBe(hint);
    } finally {
      store.close();
    }
  });

  it.each([
    [{ namespace: 'kc', allNamespaces: false, appHint: ' for app default; app quickstart has objects there: 1 Deployment; use --app quickstart or BERTH_APP' }, 'No resources found in kc namespace for app default; app quickstart has objects there: 1 Deployment; use --app quickstart or BERTH_APP'],
    [{ namespace: 'kc', allNamespaces: false }, 'No resources found in kc namespace.'],
  ])('the line: %j', (o, line) => {
    expect(noResources(parseResourceArgs(['pods']), o)).toBe(line);
  });
});
