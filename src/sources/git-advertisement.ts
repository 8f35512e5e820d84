import type { GitHttpRequest, GitHttpResponse, HttpClient } from 'isomorphic-git';

/**
 * Why this exists: isomorphic-git's fetch always resolves the remote's HEAD after the pack
 * arrives (to report the default branch), and fails with "Could not find HEAD." when the
 * remote advertises none. git omits HEAD from its advertisement when HEAD names a branch that
 * does not exist — the usual state of a bare repository made with `git init --bare` (HEAD →
 * master) and pushed to `main` only. berth always fetches one named branch or tag, so the
 * remote's HEAD is irrelevant to it; an explicit branch must not depend on it (issue 13).
 *
 * The shim: when the ref advertisement of `git-upload-pack` (protocol v1, smart HTTP) lists no
 * HEAD, add one pointing at the ref being fetched, before isomorphic-git reads it. Nothing else
 * in the advertisement changes, and the pack negotiation never names HEAD.
 */
export function withHeadAdvertised(body: Uint8Array, wantRef: string): Uint8Array {
  const lines = readPktLines(body);
  if (!lines) return body;
  // Layout: "# service=git-upload-pack\n", flush, ref lines (the first carries capabilities
  // after a NUL), flush. An empty repository advertises "capabilities^{}": nothing to add.
  const refs = lines.map((l, i) => ({ i, ref: l === null ? undefined : parseRefLine(l) })).filter((x) => x.ref !== undefined);
  if (refs.length === 0 || refs.some((x) => x.ref!.name === 'HEAD')) return body;
  // A pinned commit is fetched by its id, which no ref line names: any ref will do, since
  // isomorphic-git only reads HEAD to report a default branch berth does not use.
  const target = refs.find((x) => x.ref!.name === wantRef) ?? refs[0]!;
  const out = [...lines];
  out.splice(refs[0]!.i + 1, 0, Buffer.from(`${target.ref!.oid} HEAD\n`));
  return writePktLines(out);
}

/**
 * An HTTP client that applies withHeadAdvertised to the advertisement of `wantRef`'s fetch
 * (a full ref name, or a commit id).
 * Only the GET of `info/refs?service=git-upload-pack` is read whole; packs stream through.
 */
export function headTolerantHttp(base: HttpClient, wantRef: string): HttpClient {
  return {
    async request(req: GitHttpRequest): Promise<GitHttpResponse> {
      const res = await base.request(req);
      const method = (req.method ?? 'GET').toUpperCase();
      if (method !== 'GET' || !/\/info\/refs\?service=git-upload-pack$/.test(req.url) || res.statusCode !== 200 || !res.body) return res;
      const chunks: Uint8Array[] = [];
      for await (const chunk of res.body) chunks.push(chunk);
      const body = withHeadAdvertised(Buffer.concat(chunks), wantRef);
      return { ...res, body: single(body) };
    },
  };
}

/**
 * The advertisement without its peeled lines (`<oid> refs/tags/v1^{}`). They name the commit
 * an annotated tag points to, which is no ref tip: a stateful upload-pack (SSH) refuses a want
 * of it ("not our ref") unless configured otherwise, and isomorphic-git wants every advertised
 * value when it fetches all refs. The tag object itself stays advertised and brings its commit.
 */
export function withoutPeeledRefs(body: Uint8Array): Uint8Array {
  const lines = readPktLines(body);
  if (!lines) return body;
  return writePktLines(lines.filter((l, i) => i === 0 || l === null || !parseRefLine(l)?.name.endsWith('^{}')));
}

async function* single(body: Uint8Array): AsyncIterableIterator<Uint8Array> {
  yield body;
}

/** pkt-lines of a buffer (null for a flush packet), or undefined when it is not pkt-line framed. */
function readPktLines(body: Uint8Array): Array<Buffer | null> | undefined {
  const buf = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  const out: Array<Buffer | null> = [];
  let at = 0;
  while (at < buf.length) {
    if (at + 4 > buf.length) return undefined;
    const len = Number.parseInt(buf.toString('latin1', at, at + 4), 16);
    if (!Number.isInteger(len) || (len !== 0 && len < 4) || at + Math.max(len, 4) > buf.length) return undefined;
    out.push(len === 0 ? null : buf.subarray(at + 4, at + len));
    at += len === 0 ? 4 : len;
  }
  return out;
}

function writePktLines(lines: ReadonlyArray<Buffer | null>): Uint8Array {
  return Buffer.concat(lines.map((l) => (l === null ? Buffer.from('0000') : Buffer.concat([Buffer.from((l.length + 4).toString(16).padStart(4, '0')), l]))));
}

function parseRefLine(line: Buffer): { oid: string; name: string } | undefined {
  const text = line.toString('latin1');
  const m = /^([0-9a-f]{40}|[0-9a-f]{64}) ([^\0\n]+)/.exec(text);
  if (!m || m[2] === 'capabilities^{}') return undefined;
  return { oid: m[1]!, name: m[2]! };
}
