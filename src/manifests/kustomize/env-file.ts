/**
 * `.env` files as kustomize's configMapGenerator/secretGenerator `envs:` read them (docs/kustomize.md):
 * one `KEY=VALUE` per line, split at the first `=`, the value taken as is (quotes and trailing
 * spaces are part of it, as with `kubectl create configmap --from-env-file`); leading
 * whitespace, blank lines and `#` comments skipped; a byte-order mark dropped from the first
 * line; CRLF line ends read as LF. Pure.
 */
import { quote } from '../../model/excerpt.js';

export interface EnvPair {
  key: string;
  value: string;
  /** 1-based line of the file. */
  line: number;
}

export interface EnvLineProblem {
  line: number;
  kind: 'bare-key' | 'invalid-key';
  message: string;
}

/** Kubernetes' rule for an environment variable name, which kustomize checks env-file keys against. */
const ENV_VAR_NAME = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;
/** What Go's unicode.IsSpace trims at a line's start. */
const LEADING_SPACE = /^[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+/;

export function parseEnvFile(text: string): { pairs: EnvPair[]; problems: EnvLineProblem[] } {
  const pairs: EnvPair[] = [];
  const problems: EnvLineProblem[] = [];
  const lines = text.split('\n');
  // A final newline ends the last line; it does not start another (Go's line scanner).
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  lines.forEach((raw, i) => {
    let line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (i === 0 && line.startsWith('\ufeff')) line = line.slice(1);
    line = line.replace(LEADING_SPACE, '');
    if (line === '' || line.startsWith('#')) return;
    const eq = line.indexOf('=');
    const key = eq < 0 ? line : line.slice(0, eq);
    const n = i + 1;
    if (!ENV_VAR_NAME.test(key)) {
      const hint = /^export\s+/.test(key) ? '; drop the leading `export` (kustomize does not read shell syntax)' : '';
      problems.push({ line: n, kind: 'invalid-key', message: `${quote(key)} is not a valid environment variable name (letters, digits, \`-\`, \`_\`, \`.\`, not starting with a digit)${hint}` });
      return;
    }
    if (eq < 0) {
      // kustomize reads a bare KEY from the environment of the process that runs the build;
      // berth builds the same way wherever it runs, so the value must be in the file.
      problems.push({
        line: n,
        kind: 'bare-key',
        message: `${key} has no \`=\`: kustomize would take its value from the environment it runs in, and berth builds without one; write ${key}=VALUE in the file, or put it in the generator's literals`,
      });
      return;
    }
    pairs.push({ key, value: line.slice(eq + 1), line: n });
  });
  return { pairs, problems };
}
