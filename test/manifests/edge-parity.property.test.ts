import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compile, fragmentProblems } from '../plan/edge-support.js';
import type { Obj } from './edge-values-support.js';
import { GATEWAY_CLASS, SVC, gateway, headerModifier, ingress, match, redirect, resources, rewrite, route, text } from './edge-values-support.js';
import { validate } from './support.js';

// The parity property: no manifest that passes `berth validate` compiles to a fragment the
// edge's validator (dataplane/edge-validate.ts) refuses. Values are drawn from the characters
// the two sides treat differently (escapes, separators, controls, Latin-1 and beyond), so both
// the accepted and the refused side are reached; each property also counts how many drawn
// manifests were valid, so it never passes on refusals alone. Fixed seed: reproducible.

const RUNS = { numRuns: 250, seed: 16 };
const GW: Obj[] = [gateway(), GATEWAY_CLASS, SVC];

const PATH_CHARS = ['/', '/', 'a', 'Z', '0', '.', '-', '~', '%', '2', 'F', 'f', '5', 'C', 'c', 'e', '0', '?', '#', '\\', ' ', '\t', '\n', '\u0000', '\u007f', 'é', '日', '@', ':', ';', '=', '*', '[', '^'];
const VALUE_CHARS = ['a', ' ', '\t', '\r', '\n', '\u0000', '\u001f', '\u007f', '\u0080', 'é', 'ÿ', 'Ā', '日', '😀', '"', ',', '='];
const HOST_CHARS = ['a', 'z', '0', '-', '.', '*', '_', 'A', ':', ' '];

const chars = (set: string[], maxLength: number) => fc.array(fc.constantFrom(...set), { maxLength }).map((a) => a.join(''));
const path = fc.oneof(chars(PATH_CHARS, 10).map((p) => `/${p}`), chars(PATH_CHARS, 10));
const value = chars(VALUE_CHARS, 6);
const host = fc.oneof(
  chars(HOST_CHARS, 12),
  fc.integer({ min: 60, max: 66 }).map((n) => `${'a'.repeat(n)}.example.com`),
  fc.constantFrom('*.example.com', 'shop.example.com', 'Shop.example.com', 'a_b.example.com', '10.0.0.1'),
);
const headerName = fc.oneof(
  fc.constantFrom('Content-Length', 'transfer-encoding', 'Connection', 'Upgrade', 'TE', 'Trailer', 'Keep-Alive', 'Proxy-Connection', 'Host', 'X-Env', 'Via'),
  chars(['a', 'X', '-', '_', ':', ' ', '(', '!', '~'], 6),
);
const duration = fc
  .array(fc.tuple(fc.integer({ min: 0, max: 99_999 }), fc.constantFrom('h', 'm', 's', 'ms')), { minLength: 1, maxLength: 4 })
  .map((parts) => parts.map(([n, u]) => `${n}${u}`).join(''));

/** Runs the property over manifests built from drawn values; returns how many were valid. */
function parity<T>(arb: fc.Arbitrary<T>, docs: (v: T) => Obj[]): number {
  let valid = 0;
  fc.assert(
    fc.property(arb, (v) => {
      const d = docs(v);
      if (validate({ 'f.yaml': text(d) }).problems.some((p) => p.severity === 'error')) return;
      valid++;
      expect(fragmentProblems(compile(resources(d)).edge)).toEqual([]);
    }),
    RUNS,
  );
  return valid;
}

describe('parity: a manifest berth validate accepts compiles to a fragment the edge accepts', () => {
  it.each([
    { name: 'Ingress paths', arb: fc.tuple(path, fc.constantFrom('Prefix', 'Exact', 'ImplementationSpecific')), docs: ([p, type]: [string, string]) => [ingress({ path: p, pathType: type }), SVC] },
    { name: 'Ingress hosts and TLS hosts', arb: fc.tuple(host, host), docs: ([h, t]: [string, string]) => [ingress({}, { host: h }, { tls: [{ hosts: [t] }] }), SVC] },
    { name: 'HTTPRoute path matches', arb: fc.tuple(path, fc.constantFrom('PathPrefix', 'Exact')), docs: ([p, type]: [string, string]) => [match({ path: { type, value: p } }), ...GW] },
    { name: 'HTTPRoute and listener hostnames', arb: fc.tuple(host, host), docs: ([h, l]: [string, string]) => [route({}, { hostnames: [h] }), gateway({ hostname: l }), GATEWAY_CLASS, SVC] },
    { name: 'header and query parameter matches', arb: fc.tuple(headerName, value, headerName, value), docs: ([hn, hv, qn, qv]: [string, string, string, string]) => [match({ headers: [{ name: hn, value: hv }], queryParams: [{ name: qn, value: qv }] }), ...GW] },
    { name: 'RequestHeaderModifier set', arb: fc.tuple(headerName, value), docs: ([n, v]: [string, string]) => [headerModifier({ set: [{ name: n, value: v }] }), ...GW] },
    { name: 'RequestHeaderModifier add', arb: fc.tuple(headerName, value), docs: ([n, v]: [string, string]) => [headerModifier({ add: [{ name: n, value: v }] }), ...GW] },
    { name: 'RequestHeaderModifier remove', arb: headerName, docs: (n: string) => [headerModifier({ remove: [n] }), ...GW] },
    { name: 'RequestRedirect hostname and path', arb: fc.tuple(host, path), docs: ([h, p]: [string, string]) => [redirect({ hostname: h, path: { type: 'ReplaceFullPath', replaceFullPath: p } }), ...GW] },
    {
      name: 'URLRewrite hostname and prefix',
      arb: fc.tuple(host, path),
      docs: ([h, p]: [string, string]) => [route({ matches: [{ path: { type: 'PathPrefix', value: '/api' } }], filters: [{ type: 'URLRewrite', urlRewrite: { hostname: h, path: { type: 'ReplacePrefixMatch', replacePrefixMatch: p } } }] }), ...GW],
    },
    { name: 'URLRewrite full path', arb: path, docs: (p: string) => [rewrite({ path: { type: 'ReplaceFullPath', replaceFullPath: p } }), ...GW] },
    { name: 'timeouts', arb: fc.tuple(duration, duration), docs: ([r, b]: [string, string]) => [route({ timeouts: { request: r, backendRequest: b } }), ...GW] },
  ] as Array<{ name: string; arb: fc.Arbitrary<any>; docs: (v: any) => Obj[] }>)('$name', ({ arb, docs }) => {
    expect(parity(arb, docs)).toBeGreaterThan(5);
  });
});
