import type { DockerClient } from '../apply/docker.js';
import { dockerError } from '../apply/docker.js';
import { putFiles } from '../apply/services/archive.js';
import { DEFAULT_EDGE_CONFIG_DIR } from '../dataplane/protocol.js';
import type { Clock } from '../model/clock.js';
import { BerthError } from '../model/errors.js';
import { edgeSettings } from '../model/policy.js';
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
 * of the app's ports (the edge answers it for any host, before any redirect), and berth asks the
 * edge for it before telling the CA to look. The edge's ports are the app's recorded ones, read
 * at each order, so a moved edge is followed. docs/ingress.md "Certificates".
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
    publish: (token, keyAuthorization) => upload(token, tokenFile(keyAuthorization, deps.clock.now())),
    // The archive API cannot delete a file: an expired token stops being answered at once, and
    // the edge deletes expired token files itself.
    unpublish: (token) => upload(token, tokenFile('', deps.clock.now() - 2 * 60 * 60_000)).catch(() => undefined),
  };
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
