import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface KeyPair {
  crt: string;
  key: string;
}

/**
 * A real self-signed P-256 certificate and its key, made with openssl (scripts/setup-host.sh
 * installs it), for tests of code that parses and checks them. `sans` defaults to the name.
 */
export function selfSigned(name: string, sans: string[] = [name]): KeyPair {
  const dir = mkdtempSync(join(tmpdir(), 'berth-tls-'));
  try {
    const k = join(dir, 'k.pem');
    const c = join(dir, 'c.pem');
    const san = sans.length > 0 ? ['-addext', `subjectAltName=${sans.map((s) => `DNS:${s}`).join(',')}`] : [];
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '2', '-subj', `/CN=${name}`, ...san, '-keyout', k, '-out', c], { stdio: 'ignore' });
    return { crt: readFileSync(c, 'utf8'), key: readFileSync(k, 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
