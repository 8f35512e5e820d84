import { describe, expect, it } from 'vitest';
import { describeView } from '../../src/cli/output/describe-kinds.js';
import { DescribeWriter, describeTime, eventAge } from '../../src/cli/output/describe.js';
import type { EventRecord } from '../../src/runtime/store/index.js';
import type { View, ViewOf } from '../../src/runtime/views/index.js';
import { buildViews } from '../../src/runtime/views/index.js';
import { CFG, CREDS, entry, liveState, NOW, podOf, WEB } from '../runtime/views-support.js';

/** `berth describe` text: kubectl's layout, and secrets that never show. */
const SVC = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web' }, spec: { type: 'NodePort', selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 'http', nodePort: 30080 }] } };
const INVENTORY = [entry(WEB), entry(CREDS), entry(CFG), entry(SVC)];
const KEY = 'Deployment/default/web';
const POD = podOf(INVENTORY, KEY, { name: 'web-abc-11111' });
const OTHER = podOf(INVENTORY, KEY, { name: 'web-abc-22222', ip: '172.20.0.6' });
const VIEWS = buildViews(liveState({ inventory: INVENTORY, pods: [POD, OTHER] }), ['Pod', 'Deployment', 'ReplicaSet', 'Service', 'ConfigMap', 'Secret']);
const PODS = VIEWS.filter((v): v is ViewOf<'Pod'> => v.kind === 'Pod');
const RSS = VIEWS.filter((v): v is ViewOf<'ReplicaSet'> => v.kind === 'ReplicaSet');
const HASH = POD.specHash;
const CONTAINER_ID = POD.containers[0]!.id;

function event(reason: string, message: string, count: number, first: number, last: number, type: 'Normal' | 'Warning' = 'Normal'): EventRecord {
  return { id: count, app: 't', type, reason, objectKey: `Pod/default/${POD.name}`, message, count, firstTimestamp: first, lastTimestamp: last };
}

function text(kind: View['kind'], name: string, events: EventRecord[] = []): string {
  const view = VIEWS.find((v) => v.kind === kind && v.name === name)!;
  return describeView(view, { events, now: NOW, pods: PODS, replicaSets: RSS });
}

const POD_DESCRIBE = [
  `Name:         web-abc-11111`,
  `Namespace:    default`,
  `Node:         dockerhost/172.20.0.1`,
  `Start Time:   Sun, 01 Mar 2026 11:00:01 +0000`,
  `Labels:       app=web`,
  `              pod-template-hash=${HASH}`,
  `              tier=front`,
  `Annotations:  berth.dev/source-revision: rev1`,
  `Status:       Running`,
  `IP:           172.20.0.5`,
  `IPs:`,
  `  IP:           172.20.0.5`,
  `Controlled By:  ReplicaSet/web-${HASH}`,
  `Containers:`,
  `  web:`,
  `    Container ID:   docker://${CONTAINER_ID}`,
  `    Image:          shop/web:1.0`,
  `    Image ID:       docker://sha256:feedface`,
  `    Port:           8080/TCP (http)`,
  `    Host Port:      0/TCP`,
  `    State:          Running`,
  `      Started:      Sun, 01 Mar 2026 11:00:02 +0000`,
  `    Ready:          True`,
  `    Restart Count:  0`,
  `    Limits:`,
  `      cpu:     500m`,
  `      memory:  128Mi`,
  `    Requests:`,
  `      cpu:      50m`,
  `      memory:   64Mi`,
  `    Readiness:  http-get http://:http/healthz delay=0s timeout=1s period=2s #success=1 #failure=3`,
  `    Environment:`,
  `      MODE:      prod`,
  `      TOKEN:     <set to the key 'token' in secret 'creds'>       Optional: false`,
  `      GREETING:  <set to the key 'greeting' of config map 'cfg'>  Optional: false`,
  `      POD_NAME:  web-abc-11111 (v1:metadata.name)`,
  `    Mounts:`,
  `      /data from data (rw)`,
  `Conditions:`,
  `  Type             Status`,
  `  Initialized      True`,
  `  Ready            True`,
  `  ContainersReady  True`,
  `  PodScheduled     True`,
  `Volumes:`,
  `  data:`,
  `    Type:       PersistentVolumeClaim (a reference to a PersistentVolumeClaim in the same namespace)`,
  `    ClaimName:  data`,
  `    ReadOnly:   false`,
  `QoS Class:      Burstable`,
  `Events:`,
  `  Type     Reason            Age                From   Message`,
  `  ----     ------            ----               ----   -------`,
  `  Normal   SuccessfulCreate  60m                berth  create pod default/web-abc (scaling to 2)`,
  `  Warning  BackOff           45s (x3 over 10m)  berth  Back-off restarting failed container`,
].join('\n');


describe('describe', () => {
  it('pod: kubectl sections, secret env as a reference, events with repeat counts', () => {
    const events = [event('SuccessfulCreate', 'create pod default/web-abc (scaling to 2)', 1, NOW - 3600_000, NOW - 3600_000), event('BackOff', 'Back-off restarting failed container', 3, NOW - 600_000, NOW - 45_000, 'Warning')];
    expect(text('Pod', POD.name, events)).toBe(`${POD_DESCRIBE}\n`);
  });

  it('never prints a secret value: not in describe pod, deployment or secret, in plain text or base64', () => {
    const secret = 's3cr3t-value';
    for (const v of VIEWS) {
      const out = describeView(v, { events: [], now: NOW, pods: PODS, replicaSets: RSS });
      expect(out).not.toContain(secret);
      expect(out).not.toContain(Buffer.from(secret).toString('base64'));
    }
    expect(text('Secret', 'creds')).toBe(['Name:         creds', 'Namespace:    default', 'Labels:       <none>', 'Annotations:  berth.dev/source-revision: rev1', '', 'Type:  Opaque', '', 'Data', '====', 'token:  12 bytes', '', 'Events:  <none>', ''].join('\n'));
  });

  it('deployment: replicas line, strategy, pod template, conditions, new replica set', () => {
    const out = text('Deployment', 'web');
    expect(out).toContain('Replicas:               2 desired | 2 updated | 2 total | 2 available | 0 unavailable\n');
    expect(out).toContain('StrategyType:           RollingUpdate\n');
    expect(out).toContain('RollingUpdateStrategy:  25% max unavailable, 25% max surge\n');
    expect(out).toContain('Pod Template:\n  Labels:  app=web\n           tier=front\n  Containers:\n   web:\n    Image:      shop/web:1.0\n');
    expect(out).toContain("      TOKEN:     <set to the key 'token' in secret 'creds'>       Optional: false\n");
    expect(out).toContain('Conditions:\n  Type         Status  Reason\n  ----         ------  ------\n  Available    True    MinimumReplicasAvailable\n  Progressing  True    NewReplicaSetAvailable\n');
    expect(out).toContain(`OldReplicaSets:  <none>\nNewReplicaSet:   web-${HASH} (2/2 replicas created)\nEvents:          <none>\n`);
  });

  it('replica set: owner, replicas and pod phases', () => {
    const out = text('ReplicaSet', `web-${HASH}`);
    expect(out).toContain(`Selector:       app=web,pod-template-hash=${HASH}\n`);
    expect(out).toContain('Controlled By:  Deployment/web\nReplicas:       2 current / 2 desired\nPods Status:    2 Running / 0 Waiting / 0 Succeeded / 0 Failed\n');
  });

  it('service: endpoints are ready pods matching the selector, named target ports resolved', () => {
    expect(text('Service', 'web')).toBe(
      [
        'Name:              web',
        'Namespace:         default',
        'Labels:            <none>',
        'Annotations:       berth.dev/source-revision: rev1',
        'Selector:          app=web',
        'Type:              NodePort',
        'IP:                <none>',
        'Port:              http  80/TCP',
        'TargetPort:        http/TCP',
        'NodePort:          http  30080/TCP',
        'Endpoints:         172.20.0.5:8080,172.20.0.6:8080',
        'Session Affinity:  None',
        'Events:            <none>',
        '',
      ].join('\n'),
    );
  });

  it('configmap: every key and its value', () => {
    expect(text('ConfigMap', 'cfg')).toBe(
      ['Name:         cfg', 'Namespace:    default', 'Labels:       <none>', 'Annotations:  berth.dev/source-revision: rev1', '', 'Data', '====', 'app.properties:', '----', 'a=1', 'b=2', '', 'greeting:', '----', 'hello', '', 'BinaryData', '====', '', 'Events:  <none>', ''].join('\n'),
    );
  });
});

describe('describe helpers', () => {
  it('aligns consecutive key lines across levels; a line without a key ends the block', () => {
    const w = new DescribeWriter().kv(0, 'Name', 'x').kv(1, 'Longer Key', 'y').more(1, 'z').line(0, 'Section:').kv(0, 'A', '1');
    expect(w.render()).toBe('Name:          x\n  Longer Key:  y\n               z\nSection:\nA:  1\n');
  });

  it.each([
    [Date.parse('2026-03-01T09:05:07Z'), 'Sun, 01 Mar 2026 09:05:07 +0000'],
    ['2025-12-31T23:59:59Z', 'Wed, 31 Dec 2025 23:59:59 +0000'],
    [undefined, '<unset>'],
  ])('describeTime(%s) = %s', (t, s) => {
    expect(describeTime(t)).toBe(s);
  });

  it.each([
    [1, NOW - 90_000, NOW - 90_000, '90s'],
    [4, NOW - 3600_000, NOW - 30_000, '30s (x4 over 60m)'],
  ])('event age with count %d', (count, first, last, s) => {
    expect(eventAge({ count, firstTimestamp: first, lastTimestamp: last }, NOW)).toBe(s);
  });
});
