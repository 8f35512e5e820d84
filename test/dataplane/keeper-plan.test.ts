import { describe, expect, it } from 'vitest';
import type { KeeperAttempt, KeptContainer, KeeperPlanOptions } from '../../src/dataplane/keeper-plan.js';
import { joinedContainers, planKeeper, retryDelayMs, sandboxesToInspect, sandboxRestarted, staleEndpoints } from '../../src/dataplane/keeper-plan.js';

const NOW = 1_000_000_000;
const JOIN_FAILED = 'cannot join network of a non running container: sb1';

/** A berth container as the keeper sees it: an app container of pod p1 that Docker failed to start. */
function c(id: string, over: Partial<KeptContainer> = {}): KeptContainer {
  return { id, name: `n-${id}`, role: 'container', podRestartPolicy: 'Always', configError: false, up: false, status: 'exited', exitCode: 137, error: '', dockerPolicy: 'unless-stopped', joins: [], ...over };
}
const sandbox = (id: string, over: Partial<KeptContainer> = {}) => c(id, { role: 'sandbox', podRestartPolicy: 'Always', ...over });
const opts = (over: Partial<KeeperPlanOptions> = {}): KeeperPlanOptions => ({ now: NOW, abandonedAfterMs: 420_000, attempts: new Map(), ...over });
const ids = (r: ReturnType<typeof planKeeper>) => r.steps.map((s) => `${s.type}:${s.id}`);

describe('planKeeper: what it starts', () => {
  it.each<[string, KeptContainer[], Partial<KeeperPlanOptions>, string[]]>([
    ['an app container whose start failed while its sandbox runs', [sandbox('sb1', { up: true }), c('a', { error: JOIN_FAILED, joins: ['sb1'] })], {}, ['start:a']],
    ['a container stopped on purpose (no start error) stays down', [sandbox('sb1', { up: true }), c('a', { joins: ['sb1'] })], {}, []],
    ['a running container: nothing', [sandbox('sb1', { up: true }), c('a', { up: true, status: 'running', joins: ['sb1'] })], {}, []],
    ['restart policy no (Never pod) with a failed start stays down', [sandbox('sb1', { up: true }), c('a', { podRestartPolicy: 'Never', dockerPolicy: 'no', error: JOIN_FAILED, joins: ['sb1'] })], {}, []],
    ['on-failure with a failed start: Docker meant to run it', [sandbox('sb1', { up: true }), c('a', { podRestartPolicy: 'OnFailure', dockerPolicy: 'on-failure', error: JOIN_FAILED, joins: ['sb1'] })], {}, ['start:a']],
    ['an init container never, even in a restarted sandbox', [sandbox('sb1', { up: true, startedAt: NOW }), c('i', { role: 'init', dockerPolicy: 'no', exitCode: 0, error: JOIN_FAILED, finishedAt: NOW - 5, joins: ['sb1'] })], {}, []],
    ['a refused stand-in (CreateContainerConfigError) never, even in a restarted sandbox', [sandbox('sb1', { up: true, startedAt: NOW }), c('x', { configError: true, dockerPolicy: 'no', error: JOIN_FAILED, finishedAt: NOW - 5, joins: ['sb1'] })], {}, []],
    ['a dead container never', [c('d', { status: 'dead', error: 'x' })], {}, []],
    ['a data-plane proxy whose start failed (no joins)', [c('p', { role: 'proxy', podRestartPolicy: undefined, error: 'endpoint with name p already exists in network n' })], {}, ['start:p']],
  ])('%s', (_name, containers, o, expected) => {
    expect(ids(planKeeper(containers, opts(o)))).toEqual(expected);
  });
});

describe('planKeeper: containers whose restarts berth managed (Docker policy no)', () => {
  // Died 1 s ago, in a pod whose sandbox started long before (STARTED) or after it died (RESTARTED).
  const STARTED = NOW - 3_600_000;
  const RESTARTED = NOW - 500;
  const managed = (over: Partial<KeptContainer> = {}) => c('m', { dockerPolicy: 'no', joins: ['sb1'], finishedAt: NOW - 1_000, pod: 'a/default/p1', ...over });
  it.each<[string, Partial<KeptContainer>, Partial<KeptContainer>, string[]]>([
    ['its sandbox started after it died (the engine restarted): handed back and started at once', {}, { startedAt: RESTARTED }, ['hand-back:m']],
    ['its sandbox ran since before it died (berth is in its back-off, whatever keeper looks): left to berth', {}, { startedAt: STARTED }, []],
    ['the sandbox started the very ms it died: not after, left to berth', {}, { startedAt: NOW - 1_000 }, []],
    ['the sandbox\'s start is not known (not inspected): left alone this sweep', {}, {}, []],
    ['the sandbox restarted but is down again: the sweep its start triggers decides', {}, { up: false, status: 'exited', startedAt: RESTARTED }, []],
    ['no sandbox at all (removed meanwhile): only the abandoned rule', { joins: [], pod: undefined }, { startedAt: RESTARTED }, []],
    ['host namespaces (joins none): its sandbox is found by its pod', { joins: [] }, { startedAt: RESTARTED }, ['hand-back:m']],
    ['the sandbox of another pod says nothing', { joins: [], pod: 'a/default/p2' }, { startedAt: RESTARTED }, []],
    ['down longer than berth\'s longest back-off, sandbox untouched: handed back', { finishedAt: NOW - 420_000 }, { startedAt: STARTED }, ['hand-back:m']],
    ['OnFailure that succeeded stays down', { podRestartPolicy: 'OnFailure', exitCode: 0 }, { startedAt: RESTARTED }, []],
    ['OnFailure that failed comes back', { podRestartPolicy: 'OnFailure', exitCode: 1 }, { startedAt: RESTARTED }, ['hand-back:m']],
    ['never started (a pass is creating it): left to the pass', { status: 'created', finishedAt: undefined }, { startedAt: RESTARTED }, []],
    ['Never pod (policy no by design): not managed, stays down', { podRestartPolicy: 'Never' }, { startedAt: RESTARTED }, []],
  ])('%s', (_name, over, sb, expected) => {
    expect(ids(planKeeper([sandbox('sb1', { up: true, status: 'running', pod: 'a/default/p1', ...sb }), managed(over)], opts()))).toEqual(expected);
  });

  it('hands back the Docker policy of the pod restartPolicy, saying why', () => {
    const { steps } = planKeeper([sandbox('sb1', { up: true, startedAt: RESTARTED }), managed({ podRestartPolicy: 'OnFailure', exitCode: 2 })], opts());
    expect(steps[0]).toMatchObject({ type: 'hand-back', policy: 'on-failure', reason: expect.stringMatching(/sandbox started after it stopped/) });
  });

  // A single-container pod (plan/pod-shape.ts) has no sandbox: the pod keeper's own container
  // witnesses an engine restart instead (dockerd starts it again with the engine); without a
  // running keeper, its namespace's DNS container (labels app/namespace/namespace).
  const single = (over: Partial<KeptContainer> = {}) => managed({ joins: [], single: true, ...over });
  const keeper = (over: Partial<KeptContainer> = {}) => c('keeper', { role: 'keeper', podRestartPolicy: undefined, up: true, status: 'running', pod: undefined, ...over });
  const dns = (over: Partial<KeptContainer> = {}) => c('dns1', { role: 'dns', podRestartPolicy: undefined, up: true, status: 'running', pod: 'a/default/default', ...over });
  it.each<[string, KeptContainer[], string[]]>([
    ['single pod, its namespace\'s DNS started after it died: handed back at once', [dns({ startedAt: RESTARTED }), single()], ['hand-back:m']],
    ['single pod, DNS ran since before it died: left to berth', [dns({ startedAt: STARTED }), single()], []],
    ['single pod, the DNS of another namespace says nothing', [dns({ startedAt: RESTARTED, pod: 'a/other/other' }), single()], []],
    ['single pod, a sandbox of its namespace says nothing', [sandbox('sb9', { up: true, startedAt: RESTARTED, pod: 'a/default/p1' }), single()], []],
    ['single pod, no DNS: only the abandoned rule', [single({ finishedAt: NOW - 420_000 })], ['hand-back:m']],
    ['single pod, the keeper started after it died (no DNS in an app without Services): handed back at once', [keeper({ startedAt: RESTARTED }), single()], ['hand-back:m']],
    ['single pod, the keeper ran since before it died: left to berth, whatever the DNS says', [keeper({ startedAt: STARTED }), dns({ startedAt: RESTARTED }), single()], []],
    ['single pod, the keeper is down: its DNS witnesses', [keeper({ up: false, status: 'exited', startedAt: STARTED }), dns({ startedAt: RESTARTED }), single()], ['hand-back:m']],
    ['single pod, the running DNS witnesses, not an exited one berth replaced', [dns({ id: 'dns0', name: 'dns0', up: false, status: 'exited', startedAt: STARTED }), dns({ startedAt: RESTARTED }), single()], ['hand-back:m']],
  ])('%s', (_name, containers, expected) => {
    expect(ids(planKeeper(containers, opts()))).toEqual(expected);
  });

  it('a single pod\'s hand-back names its witness, and its DNS container is inspected when its start is unknown', () => {
    const { steps } = planKeeper([dns({ startedAt: RESTARTED }), single()], opts());
    expect(steps[0]).toMatchObject({ type: 'hand-back', reason: expect.stringMatching(/namespace's DNS container started after it stopped/) });
    expect(sandboxesToInspect([dns(), single()])).toEqual(['dns1']);
    expect(sandboxesToInspect([keeper(), dns(), single()])).toEqual(['keeper']);
    expect(planKeeper([keeper({ startedAt: RESTARTED }), single()], opts()).steps[0]).toMatchObject({ reason: expect.stringMatching(/^the pod keeper started after it stopped/) });
  });

  it.each<[string, Partial<KeptContainer>, Partial<KeptContainer>, boolean]>([
    ['sandbox up, started after the container finished', {}, { startedAt: NOW }, true],
    ['sandbox up, started before', {}, { startedAt: NOW - 2_000 }, false],
    ['container never finished', { finishedAt: undefined }, { startedAt: NOW }, false],
    ['sandbox down', {}, { up: false, startedAt: NOW }, false],
  ])('sandboxRestarted: %s', (_name, over, sb, expected) => {
    expect(sandboxRestarted(managed(over), sandbox('sb1', { up: true, ...sb }))).toBe(expected);
  });

  it('inspects only the running sandboxes of down taken-over containers whose start is unknown', () => {
    const containers = [
      sandbox('sb1', { up: true }),
      managed(),
      sandbox('sb2', { up: true }),
      c('ok', { joins: ['sb2'], up: true }), // running: nothing to decide
      sandbox('sb3', { up: true, startedAt: NOW }),
      managed({ id: 'm3', name: 'n-m3', joins: ['sb3'] }), // already known
      sandbox('sb4'),
      managed({ id: 'm4', name: 'n-m4', joins: ['sb4'] }), // sandbox down: inspected as it is down
      sandbox('sb5', { up: true }),
      c('f', { joins: ['sb5'], error: JOIN_FAILED }), // not taken over
    ];
    expect(sandboxesToInspect(containers)).toEqual(['sb1']);
  });
});

describe('planKeeper: order', () => {
  it('starts each sandbox before the containers that join it, whatever the listing order', () => {
    const containers = [
      c('a1', { error: JOIN_FAILED, joins: ['sb1'] }),
      c('b1', { error: JOIN_FAILED, joins: ['n-sb2'] }), // joined by name
      c('a2', { error: JOIN_FAILED, joins: ['sb1'] }),
      sandbox('sb2', { error: 'port is already allocated' }),
      sandbox('sb1', { error: 'endpoint with name n-sb1 already exists' }),
      c('b2', { dockerPolicy: 'no', joins: ['sb2'], finishedAt: NOW - 500_000 }),
    ];
    const { steps, waits } = planKeeper(containers, opts());
    expect(ids({ steps, waits })).toEqual(['start:sb2', 'start:sb1', 'start:a1', 'start:b1', 'start:a2', 'hand-back:b2']);
    expect(waits).toEqual([]);
  });

  it('a container whose sandbox neither runs nor starts now waits, naming the sandbox', () => {
    const r = planKeeper([sandbox('sb1'), c('a', { error: JOIN_FAILED, joins: ['sb1'] })], opts());
    expect(r).toEqual({ steps: [], waits: [{ id: 'a', name: 'n-a', on: 'n-sb1' }] });
  });

  it('a sandbox still in its retry back-off holds its containers back too', () => {
    const attempts = new Map<string, KeeperAttempt>([['sb1', { count: 2, at: NOW - 1_000 }]]);
    const r = planKeeper([sandbox('sb1', { error: 'x' }), c('a', { error: JOIN_FAILED, joins: ['sb1'] })], opts({ attempts }));
    expect(r.steps).toEqual([]);
    expect(r.waits.map((w) => w.on)).toEqual(['n-sb1']);
  });
});

describe('keeper helpers', () => {
  it.each([
    [1, 1_000],
    [2, 2_000],
    [4, 8_000],
    [7, 60_000],
    [30, 60_000],
  ])('retry %i waits %i ms', (attempt, ms) => {
    expect(retryDelayMs(attempt)).toBe(ms);
  });

  it.each<[Array<string | undefined>, string[]]>([
    [['container:abc', 'container:abc', 'private'], ['abc']],
    [['bridge', 'host', undefined, ''], []],
    [['berth_a_default', 'container:sb', 'container:other'], ['sb', 'other']],
  ])('joinedContainers(%j)', (modes, expected) => {
    expect(joinedContainers(modes)).toEqual(expected);
  });

  it.each<[string, Array<{ key: string; name: string }>, string[]]>([
    ['an endpoint with no container (ep-) is stale', [{ key: 'ep-123', name: 'gone' }], ['gone']],
    ['an endpoint of a removed container is stale', [{ key: 'deadbeef', name: 'gone' }], ['gone']],
    ['an endpoint of a live container is not', [{ key: 'live1', name: 'live' }], []],
    ['a name some container still has is left alone (dockerd would disconnect that container)', [{ key: 'ep-9', name: 'live' }], []],
  ])('staleEndpoints: %s', (_name, endpoints, expected) => {
    expect(staleEndpoints(endpoints, new Set(['live1', 'live']))).toEqual(expected);
  });
});
