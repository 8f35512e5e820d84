import { describe, expect, it } from 'vitest';
import type { ObservedContainer, ObservedPod } from '../../src/plan/observed.js';
import type { PodReadiness, ProberOpinion } from '../../src/plan/readiness.js';
import { podReadiness } from '../../src/plan/readiness.js';
import type { PodStatusRecord } from '../../src/model/state.js';

const CREATED = 1_000_000;

function container(name: string, state: ObservedContainer['state'] = 'running'): ObservedContainer {
  return { id: `id-${name}`, dockerName: `d-${name}`, name, role: 'container', image: 'img', state, restartCount: 0, restarting: false };
}

interface PodShape {
  sandbox?: 'running' | 'exited' | 'none';
  /** Containers by name and state; all expected. */
  containers?: Record<string, ObservedContainer['state']>;
}

function pod(shape: PodShape = {}): ObservedPod {
  const containers = Object.entries<ObservedContainer['state']>(shape.containers ?? { web: 'running' }).map(([n, s]) => container(n, s));
  const sandbox = shape.sandbox ?? 'running';
  return {
    namespace: 'default',
    name: 'web-1',
    key: 'default/web-1',
    owner: 'ReplicaSet/default/web-abc',
    controller: 'Deployment/default/web',
    specHash: 'abc',
    labels: {},
    restartPolicy: 'Always',
    createdAt: CREATED,
    ...(sandbox === 'none' ? {} : { sandbox: { id: 'sb', dockerName: 'sb', state: sandbox } }),
    initContainers: [],
    containers,
    expectedContainers: containers.map((c) => c.name),
    expectedInitContainers: [],
    ready: false,
  };
}

function record(ready: boolean, updatedAt: number, containers: Record<string, boolean> = { web: ready }): PodStatusRecord {
  return { podKey: 'default/web-1', ready, updatedAt, containers: Object.fromEntries(Object.entries(containers).map(([n, r]) => [n, { ready: r, started: true, restartCount: 0 }])) };
}

const FRESH = CREATED + 5_000;
const STALE = CREATED - 5_000;
const notReadyOpinion: ProberOpinion = { ready: false, containers: { web: false }, messages: { web: 'HTTP probe failed with statuscode: 503' } };
const readyOpinion: ProberOpinion = { ready: true, containers: { web: true }, since: CREATED + 7_000 };

interface Case {
  name: string;
  pod?: PodShape;
  probed?: string[];
  prober?: ProberOpinion;
  record?: PodStatusRecord;
  want: Omit<PodReadiness, 'containers'> & { containers?: Record<string, boolean> };
}

describe('podReadiness: the one readiness rule (pass, views, live diff, delete)', () => {
  it.each<Case>([
    { name: 'prober opinion: not ready wins over a fresh ready record', probed: ['web'], prober: notReadyOpinion, record: record(true, FRESH), want: { ready: false, source: 'prober', probeMessages: { web: 'HTTP probe failed with statuscode: 503' } } },
    { name: 'prober opinion: ready, with the time it became ready', probed: ['web'], prober: readyOpinion, record: record(false, FRESH), want: { ready: true, source: 'prober', readySince: CREATED + 7_000 } },
    { name: 'fresh record: not ready (a daemon probed it)', probed: ['web'], record: record(false, FRESH), want: { ready: false, source: 'record' } },
    { name: 'fresh record: ready', probed: ['web'], record: record(true, FRESH), want: { ready: true, source: 'record' } },
    { name: 'fresh record: one container of two not ready', probed: ['web', 'side'], pod: { containers: { web: 'running', side: 'running' } }, record: record(false, FRESH, { web: true, side: false }), want: { ready: false, source: 'record', containers: { web: true, side: false } } },
    { name: 'fresh record without the container: its probes decide', pod: { containers: { web: 'running', side: 'running' } }, record: record(true, FRESH, { web: true }), want: { ready: true, source: 'record', containers: { web: true, side: true } } },
    { name: 'stale record (an earlier pod of the name): a probed pod is not ready', probed: ['web'], record: record(true, STALE), want: { ready: false, source: 'default' } },
    { name: 'stale record: a pod without probes is ready when it runs', record: record(false, STALE), want: { ready: true, source: 'default' } },
    { name: 'no probe, no record: running is ready', want: { ready: true, source: 'default' } },
    { name: 'readiness probe, no record, no prober: not ready', probed: ['web'], want: { ready: false, source: 'default' } },
    { name: 'sandbox down: not ready whatever the prober says', pod: { sandbox: 'exited' }, prober: readyOpinion, want: { ready: false, source: 'prober' } },
    { name: 'sandbox gone: not ready whatever the record says', pod: { sandbox: 'none' }, record: record(true, FRESH), want: { ready: false, source: 'record' } },
    { name: 'a container stopped: not ready whatever the record says', pod: { containers: { web: 'exited' } }, record: record(true, FRESH), want: { ready: false, source: 'record', containers: { web: false } } },
    { name: 'a container stopped, no probe: not ready', pod: { containers: { web: 'exited' } }, want: { ready: false, source: 'default', containers: { web: false } } },
  ])('$name', (c) => {
    const p = pod(c.pod);
    const got = podReadiness({ pod: p, probed: new Set(c.probed ?? []), ...(c.prober ? { prober: c.prober } : {}), ...(c.record ? { record: c.record } : {}) });
    const containers = c.want.containers ?? Object.fromEntries(p.expectedContainers.map((n) => [n, c.want.ready]));
    expect(got).toEqual({ ...c.want, containers });
  });

  it('leaves the pod as it was', () => {
    const p = pod();
    const before = structuredClone(p);
    podReadiness({ pod: p, probed: new Set(['web']), prober: notReadyOpinion });
    expect(p).toEqual(before);
  });
});
