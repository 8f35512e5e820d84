/**
 * Where an image reference makes Docker pull from, and whether that is berth's own host.
 *
 * Root's dockerd pulls from whatever registry an image names, from the host's network
 * namespace: `image: 127.0.0.1:8080/x` made it send `GET /v2/...` to a service on the host's
 * loopback and hand the answer back in its error (issue 11). The host policy refuses images from
 * registries on loopback, link-local or unspecified addresses unless the operator names the
 * registry (--allow-registry). Pure: no resolution; a name that resolves to the host (its own
 * name in /etc/hosts, its interface addresses) is caught right before the pull, where the host
 * is known (apply/images/registry-address.ts).
 */

/**
 * The registry part of `ref` as Docker reads it (distribution/reference splitDockerDomain): the
 * first path component is a registry when it contains `.` or `:`, is `localhost`, or has upper
 * case; otherwise the image is Docker Hub's (undefined). `localhost:5000/a/b` → `localhost:5000`.
 */
export function imageRegistry(ref: string): string | undefined {
  const slash = ref.indexOf('/');
  if (slash < 0) return undefined;
  const first = ref.slice(0, slash);
  if (/[.:]/.test(first) || first === 'localhost' || first.toLowerCase() !== first) return first;
  return undefined;
}

/** `host:port`, `[v6]:port`, `host` → the host alone, lower case, without brackets or a trailing dot. */
export function registryHost(registry: string): string {
  const r = registry.trim().toLowerCase();
  const v6 = /^\[([^\]]*)\](?::\d*)?$/.exec(r);
  const host = v6 ? v6[1]! : r.replace(/:[^:]*$/, '');
  return host.replace(/\.$/, '');
}

export type HostScope = 'loopback' | 'link-local' | 'unspecified';

/**
 * Whether `host` (a registry host as registryHost returns it) names berth's own host or its
 * link: `localhost` and `*.localhost` (RFC 6761: they resolve to loopback), 127.0.0.0/8, ::1,
 * 169.254.0.0/16, fe80::/10, 0.0.0.0/8, ::, and the IPv4-mapped forms of these. IPv4 is read as
 * inet_aton reads it (`127.1`, `0x7f.0.0.1`, `2130706433`), since a C resolver accepts those too.
 * undefined: a name or address elsewhere.
 */
export function localHostScope(host: string): HostScope | undefined {
  const h = host.toLowerCase().replace(/%.*$/, '');
  if (h === 'localhost' || h.endsWith('.localhost')) return 'loopback';
  const v4 = parseInetAton(h);
  if (v4 !== undefined) return ipv4Scope(v4);
  const v6 = parseIpv6(h);
  if (v6 === undefined) return undefined;
  if (v6.every((x) => x === 0)) return 'unspecified';
  if (v6.slice(0, 7).every((x) => x === 0) && v6[7] === 1) return 'loopback';
  if ((v6[0]! & 0xffc0) === 0xfe80) return 'link-local';
  // ::ffff:a.b.c.d (mapped) and ::a.b.c.d (compatible) carry an IPv4 address.
  if (v6.slice(0, 5).every((x) => x === 0) && (v6[5] === 0xffff || v6[5] === 0)) return ipv4Scope(v6[6]! * 0x10000 + v6[7]!);
  return undefined;
}

/**
 * Whether an address or name the operator gave berth to listen on (or a client connects to) is
 * this host's loopback: `localhost`, 127.0.0.0/8 in any form inet_aton reads, ::1 and its mapped
 * forms. Stricter than localHostScope about names: `*.localhost` resolves to loopback only where
 * the resolver says so, and a listener's safety must not rest on that.
 */
export function isLoopbackHost(host: string): boolean {
  const h = host.toLowerCase();
  if (h.endsWith('.localhost')) return false;
  return localHostScope(h.startsWith('[') && h.endsWith(']') ? h.slice(1, -1) : h) === 'loopback';
}

function ipv4Scope(n: number): HostScope | undefined {
  const first = Math.floor(n / 0x1000000);
  if (first === 127) return 'loopback';
  if (first === 0) return 'unspecified';
  if (first === 169 && Math.floor(n / 0x10000) % 0x100 === 254) return 'link-local';
  return undefined;
}

/** inet_aton: 1 to 4 parts, each decimal, octal (leading 0) or hex (0x); the last part fills the rest. */
function parseInetAton(text: string): number | undefined {
  const parts = text.split('.');
  if (parts.length > 4) return undefined;
  const nums: number[] = [];
  for (const p of parts) {
    let n: number;
    if (/^0x[0-9a-f]*$/.test(p)) n = p.length === 2 ? 0 : parseInt(p.slice(2), 16);
    else if (/^0[0-7]*$/.test(p)) n = parseInt(p, 8);
    else if (/^[1-9][0-9]*$/.test(p)) n = parseInt(p, 10);
    else return undefined;
    nums.push(n);
  }
  const last = nums.pop()!;
  if (nums.some((n) => n > 255)) return undefined;
  if (last >= 2 ** (8 * (4 - nums.length))) return undefined;
  return nums.reduce((acc, n, i) => acc + n * 2 ** (8 * (3 - i)), 0) + last;
}

/** Eight 16-bit groups, `::` expanded and a dotted IPv4 tail read; undefined when not IPv6. */
function parseIpv6(text: string): number[] | undefined {
  if (!text.includes(':')) return undefined;
  // `::ffff:127.0.0.1` → `::ffff:7f00:1`.
  const t = text.replace(/(\d+)\.(\d+)\.(\d+)\.(\d+)$/, (_m, a: string, b: string, c: string, d: string) => {
    const q = [a, b, c, d].map(Number);
    return q.some((n) => n > 255) ? 'x' : `${(q[0]! * 256 + q[1]!).toString(16)}:${(q[2]! * 256 + q[3]!).toString(16)}`;
  });
  const halves = t.split('::');
  if (halves.length > 2) return undefined;
  const groups = (s: string) => (s === '' ? [] : s.split(':'));
  const head = groups(halves[0]!);
  const rest = halves.length === 2 ? groups(halves[1]!) : [];
  if (!head.concat(rest).every((g) => /^[0-9a-f]{1,4}$/.test(g))) return undefined;
  const fill = 8 - head.length - rest.length;
  if (halves.length === 2 ? fill < 1 : fill !== 0) return undefined;
  return [...head, ...Array<string>(fill).fill('0'), ...rest].map((g) => parseInt(g, 16));
}
