import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBusyboxImage } from './support/busybox-image.js';
import type { Harness } from './cli-support.js';
import { docker, harness } from './cli-support.js';

/**
 * kubectl's output options of `get` against pods `berth apply` really started: jsonpath (range,
 * filter, quoted newline and tab), custom columns, --sort-by on a number and -L.
 */
let h: Harness;

const pod = (image: string, name: string, tier: string, grace: number, containers: string[]) => `
apiVersion: v1
kind: Pod
metadata: {name: ${name}, labels: {app: fmt, tier: ${tier}}}
spec:
  terminationGracePeriodSeconds: ${grace}
  containers:
${containers.map((c) => `    - {name: ${c}, image: ${image}, command: ["sleep", "100000"]}`).join('\n')}
`;

beforeAll(async () => {
  const image = await ensureBusyboxImage(docker);
  h = await harness('e2e-getfmt');
  // Grace periods 2, 10 and 1: sorted as numbers they differ from name order and from text order.
  const app = [pod(image, 'zulu', 'front', 2, ['main']), pod(image, 'alpha', 'back', 10, ['main', 'side']), pod(image, 'mike', 'front', 1, ['main'])].join('---\n');
  await h.write('app.yaml', app);
  const applied = await h.berth(['apply', '-f', `${h.dir}/app.yaml`, '--wait', '--timeout', '120s']);
  expect(applied.code, applied.stderr).toBe(0);
}, 180_000);

afterAll(async () => {
  await h?.cleanup();
});

describe('get output formats', () => {
  it('-o jsonpath with range, a filter and quoted tab and newline, over the List', async () => {
    const r = await h.berth(['get', 'pods', '--sort-by=.metadata.name', '-o', 'jsonpath={range .items[?(@.status.phase=="Running")]}{.metadata.name}{"\\t"}{.metadata.labels.tier}{"\\n"}{end}']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('alpha\tback\nmike\tfront\nzulu\tfront\n');
    const back = await h.berth(['get', 'pods', '-o', 'jsonpath={.items[?(@.metadata.labels.tier=="back")].spec.containers[*].name}']);
    expect(back.stdout).toBe('main side');
  });

  it('-o jsonpath applies to the object itself when one is named', async () => {
    const r = await h.berth(['get', 'pod', 'alpha', '-o', 'jsonpath={.kind}/{.metadata.name} {.status.phase}']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('Pod/alpha Running');
  });

  it('a template that fails on the objects exits 1 with kubectl\'s words', async () => {
    const r = await h.berth(['get', 'pods', '-o', 'jsonpath={.items[9].metadata.name}']);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('error: error executing jsonpath "{.items[9].metadata.name}": Error executing template: array index out of bounds: index 9, length 3.');
  });

  it('-o custom-columns with --sort-by on a number', async () => {
    const r = await h.berth(['get', 'pods', '--sort-by', '.spec.terminationGracePeriodSeconds', '-o', 'custom-columns=NAME:.metadata.name,CONTAINERS:.spec.containers[*].name,GRACE:.spec.terminationGracePeriodSeconds,NODE:.spec.nope']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe(['NAME    CONTAINERS   GRACE   NODE', 'mike    main         1       <none>', 'zulu    main         2       <none>', 'alpha   main,side    10      <none>', ''].join('\n'));
  });

  it('-L adds label columns to the table, and --sort-by orders its rows', async () => {
    const r = await h.berth(['get', 'pods', '-L', 'tier,app', '--sort-by={.metadata.name}', '--show-kind']);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trimEnd().split('\n').map((l) => l.split(/\s{2,}/));
    expect(lines[0]).toEqual(['NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE', 'TIER', 'APP']);
    expect(lines.slice(1).map((l) => [l[0], l[1], l[2], l[5], l[6]])).toEqual([
      ['pod/alpha', '2/2', 'Running', 'back', 'fmt'],
      ['pod/mike', '1/1', 'Running', 'front', 'fmt'],
      ['pod/zulu', '1/1', 'Running', 'front', 'fmt'],
    ]);
  });

  it('get events takes the same options', async () => {
    const r = await h.berth(['get', 'events', '--sort-by=.lastTimestamp', '-o', 'custom-columns=KIND:.involvedObject.kind,SOURCE:.source.component']);
    expect(r.code, r.stderr).toBe(0);
    const [header, ...rows] = r.stdout.trimEnd().split('\n');
    expect(header).toMatch(/^KIND\s+SOURCE$/);
    for (const row of rows) expect(row).toMatch(/^\w+\s+berth$/);
  });
});
