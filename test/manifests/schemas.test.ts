import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ErrorObject, ValidateFunction } from 'ajv/dist/2020.js';
import { afterAll, describe, expect, it } from 'vitest';
import { SCHEMA_FILES, createAjv, generateStandaloneValidators, loadSchema, schemaHash } from '../../src/manifests/schema-compile.js';
import { KINDS } from '../../src/model/kinds.js';

const require = createRequire(import.meta.url);
const dir = mkdtempSync(join(tmpdir(), 'berth-schemas-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const SAMPLES: Record<string, unknown> = {
  Pod: {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'p', creationTimestamp: null, nam: 'x' },
    spec: { affinity: {}, containers: [{ name: 'a', imagePullPolicy: 'always', ports: [{ containerPort: '80' }] }], volumes: [{ name: 'v', nfs: {} }] },
  },
  Deployment: {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'd' },
    spec: { replicas: -1, selector: { matchLabels: { app: 1 } }, template: { spec: { containers: [] } } },
  },
  Service: { apiVersion: 'v1', kind: 'Service', metadata: { name: 's' }, spec: { type: 'Nodeport', ports: [{ port: 80, appProtocol: 'http' }] } },
  CronJob: { apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name: 'c' }, spec: { jobTemplate: { spec: { template: { spec: { containers: [{ name: 'c', image: 'i' }] } } } } } },
};

function errors(v: ValidateFunction, sample: unknown): Array<Pick<ErrorObject, 'keyword' | 'instancePath' | 'params' | 'schema'>> {
  v(structuredClone(sample));
  return (v.errors ?? []).map(({ keyword, instancePath, params, schema }) => ({ keyword, instancePath, params, schema }));
}

describe('schemas/', () => {
  it('has a schema for every kind, each compiling under strict mode', () => {
    const ajv = createAjv();
    expect(KINDS.map((k) => [k.kind, typeof ajv.getSchema(k.schema)])).toEqual(KINDS.map((k) => [k.kind, 'function']));
    expect(SCHEMA_FILES.map((f) => loadSchema(f).$id)).toEqual(SCHEMA_FILES);
  });

  it('validators generated at build time report exactly what runtime-compiled ones do', () => {
    const file = join(dir, 'validators.generated.cjs');
    writeFileSync(file, generateStandaloneValidators());
    const generated = require(file) as Record<string, unknown>;
    expect(generated.schemaHash).toBe(schemaHash());
    const ajv = createAjv();
    for (const [kind, sample] of Object.entries(SAMPLES)) {
      const info = KINDS.find((k) => k.kind === kind)!;
      const runtime = errors(ajv.getSchema(info.schema)!, sample);
      expect(runtime.length).toBeGreaterThan(0);
      expect(errors(generated[kind] as ValidateFunction, sample)).toEqual(runtime);
    }
  });

  // The build writes one file per kind (start-up loads only the kinds a revision has, issue 18).
  it.each(Object.keys(SAMPLES))('%s: its own generated file reports exactly what the runtime-compiled validator does', (kind) => {
    const file = join(dir, `${kind}.cjs`);
    writeFileSync(file, generateStandaloneValidators([kind]));
    const generated = require(file) as Record<string, unknown>;
    expect(Object.keys(generated).sort()).toEqual([kind, 'schemaHash'].sort());
    const info = KINDS.find((k) => k.kind === kind)!;
    const sample = SAMPLES[kind];
    expect(errors(generated[kind] as ValidateFunction, sample)).toEqual(errors(createAjv().getSchema(info.schema)!, sample));
  });
});
