import type { DockerClient } from '../apply/docker.js';
import { dockerError } from '../apply/docker.js';
import { putFiles } from '../apply/services/archive.js';
import { readStatus } from '../apply/services/config-writer.js';
import type { DataplaneStatus } from '../dataplane/protocol.js';
import { DEFAULT_EDGE_CONFIG_DIR } from '../dataplane/protocol.js';
import type { Clock } from '../model/clock.js';
import { BerthError } from '../model/errors.js';
import { edgeSettings } from '../model/policy.js';
import { normalizeHost } from '../plan/edge/hosts.js';
import { edgeName } from '../plan/edge/plan.js';
import type { ChallengePublisher } from './acme/challenge.js';
import { checkChallengeServed, tokenFile, tokenPath } from './acme/challenge.js';
import type { CertificateOrdersSeam } from './daemon/certificates.js';
import { createAcmeIssuer } from './acme/client.js';
import { storeAccountBook } from './daemon/certificates.js';
import type { Logger } from './log.js';
import { policyInForce } from './pass/policy.js';
import type { Store } from './store/index.js';

/**
 * HTTP-01 through the host's edge: a token is a file `acme/<token>.json` uploaded into the edge
 * of the app's ports (the edge answers it for the host it names, before any redirect), and berth asks the
 * edge for it before telling the CA to look. The edge's ports are the app's recorded ones, read
 * at each order, so a moved edge is followed. docs/ingress.md "Certificates".
 *
 * Every app's tokens are in the one edge, so a token is published only for a name no other app
 * holds on that edge (and the edge answers it for that name only): else any app could get a
 * trusted certificate (and its key) for a host another app serves.
 */
export function edgeChallengePublisher(deps: { docker: DockerClient; store: Pick<Store, 'getAppliedPolicy'>; clock: Clock }, app: string): ChallengePublisher {
  const upload = async (token: string, content: string) => {
    const name = edgeName(edgeSettings(policyInForce(deps.store, app)));
    const container = deps.docker.api.getContainer(name);
    try {
      await putFiles(container, DEFAULT_EDGE_CONFIG_DIR, [{ path: tokenPath(token), content, mode: 0o600 }]);
    } catch (err) {
      if ((err as { statusCode?: number }).statusCode === 404)
        throw new BerthError('NOT_FOUND', `no edge ${name} runs to answer the HTTP-01 challenge: the app needs an Ingress or HTTPRoute served by berth on these ports`, { container: name }, { cause: err });
      throw dockerError(err, `upload the HTTP-01 token to ${name}`);
    }
  };
  return {
    publish: async (token, keyAuthorization, identifier) => {
      const name = edgeName(edgeSettings(policyInForce(deps.store, app)));
      const status = await readStatus(deps.docker, name, 'edge').catch(() => undefined);
      const holder = heldByAnotherApp(status, app, identifier);
      if (holder !== undefined)
        throw new BerthError('CONFLICT', `host ${identifier} is held by app ${holder} on edge ${name}; berth orders certificates only for hosts this app may serve`, { app: holder, hint: 'name only hosts this app serves in the Certificate (or its Ingress tls hosts)' });
      await upload(token, tokenFile(keyAuthorization, deps.clock.now(), identifier));
    },
    // The archive API cannot delete a file: an expired token stops being answered at once, and
    // the edge deletes expired token files itself.
    unpublish: (token) => upload(token, tokenFile('', deps.clock.now() - 2 * 60 * 60_000)).catch(() => undefined),
  };
}

/** The other app that holds exactly this host on the edge, if one does (a wildcard does not: an exact host is routed before it). */
export function heldByAnotherApp(status: DataplaneStatus | undefined, app: string, identifier: string): string | undefined {
  if (status?.kind !== 'edge') return undefined;
  const host = normalizeHost(identifier);
  return Object.entries(status.apps).find(([a, s]) => a !== app && s.hosts.includes(host))?.[0];
}

/**
 * The daemon's ACME seam (runtime/daemon/certificates.ts): orders through acme-client with the
 * store as account book, tokens through the edge, and berth's own check through the edge first.
 * The check asks the edge on this host's loopback; with a remote engine (DOCKER_HOST over TCP or
 * SSH) the edge is not on this host, so the CA checks it alone.
 */
export function edgeCertificateOrders(
  deps: { docker: DockerClient; store: Store; clock: Clock; log: Logger },
  app: string,
  remoteEngine: boolean,
): CertificateOrdersSeam {
  const issuer = createAcmeIssuer({ clock: deps.clock, log: deps.log, accounts: storeAccountBook(deps.store, app) });
  const publisher = edgeChallengePublisher(deps, app);
  if (remoteEngine) return { issuer, publisher };
  return {
    issuer,
    publisher,
    precheck: async (identifier, token, keyAuthorization) => {
      const edge = edgeSettings(policyInForce(deps.store, app));
      const host = edge.address && edge.address !== '0.0.0.0' && edge.address !== '::' ? edge.address : '127.0.0.1';
      await checkChallengeServed({ host, port: edge.httpPort, identifier, token, keyAuthorization, clock: deps.clock });
    },
  };
}
