import { isIP } from 'node:net';
import { checkDns1123Label, checkDns1123Subdomain, checkPortName } from '../../model/names.js';
import type { CheckContext, ServiceFacts } from './context.js';
import { checkNodePort, checkPortNumber } from './ports.js';
import { checkMapSelector } from './selectors.js';
import type { Rec } from './values.js';
import { arr, has, rec, str, stringMap } from './values.js';
import { clip, quote } from '../../model/excerpt.js';
import { servicePolicyViolations } from '../../model/service-policy.js';

/** Service type rules and ports, as Kubernetes' ValidateService checks them. */
export function checkService(object: Rec, ctx: CheckContext): void {
  const spec = rec(object.spec);
  if (!spec) return;
  const { r } = ctx;
  const type = str(spec.type) ?? 'ClusterIP';
  const clusterIP = str(spec.clusterIP);
  const headless = clusterIP === 'None';
  const publishes = type === 'NodePort' || type === 'LoadBalancer';
  const facts: ServiceFacts = { selector: undefined, namedTargetPorts: [], nodePorts: [], loadBalancerPorts: [] };

  if (type === 'ExternalName') {
    const name = str(spec.externalName);
    if (name === undefined || name === '')
      r.report('missing-external-name', ['spec', 'externalName'], 'a Service of type ExternalName needs spec.externalName (the DNS name it aliases)', { locate: ['spec'], at: 'key' });
    else {
      const err = checkDns1123Subdomain(name.replace(/\.$/, ''));
      if (err) r.report('invalid-name', ['spec', 'externalName'], `externalName ${quote(name)} is invalid: ${err}`);
    }
  } else if (has(spec, 'externalName'))
    r.report('invalid-value', ['spec', 'externalName'], `externalName is only used by Services of type ExternalName, not ${clip(type)}`, { at: 'key' });

  if (clusterIP !== undefined && clusterIP !== '' && !headless && isIP(clusterIP) === 0)
    r.report('invalid-ip', ['spec', 'clusterIP'], `clusterIP ${quote(clusterIP)} must be an IP address, "None" (headless) or empty`);
  if (headless && publishes)
    r.report('headless-node-port', ['spec', 'clusterIP'], `a headless Service (clusterIP: None) cannot be of type ${clip(type)}; it has no virtual IP to publish`);
  const loadBalancerIP = str(spec.loadBalancerIP);
  if (loadBalancerIP !== undefined && loadBalancerIP !== '' && isIP(loadBalancerIP) === 0)
    r.report('invalid-ip', ['spec', 'loadBalancerIP'], `${quote(loadBalancerIP)} is not an IP address`);
  if (has(spec, 'externalTrafficPolicy') && !publishes)
    r.report('invalid-value', ['spec', 'externalTrafficPolicy'], `externalTrafficPolicy may only be set for NodePort and LoadBalancer Services, not ${clip(type)}`, { at: 'key' });
  if (has(spec, 'sessionAffinityConfig') && spec.sessionAffinity !== 'ClientIP')
    r.report('invalid-value', ['spec', 'sessionAffinityConfig'], 'sessionAffinityConfig needs sessionAffinity: ClientIP', { at: 'key' });

  const ports = arr(spec.ports);
  if (ports.length === 0 && type !== 'ExternalName' && !headless)
    r.report('missing-field', ['spec', 'ports'], `a ${clip(type)} Service needs at least one port`, { locate: ['spec'], at: 'key' });
  checkServicePorts(ports, type, publishes, ctx, facts);
  if (type === 'LoadBalancer') {
    const hostIp = loadBalancerIP !== undefined && isIP(loadBalancerIP) !== 0 ? loadBalancerIP : '';
    ports.forEach((p, i) => {
      const port = rec(p);
      if (port && typeof port.port === 'number') facts.loadBalancerPorts.push({ port: port.port, protocol: str(port.protocol) ?? 'TCP', hostIp, path: ['spec', 'ports', i, 'port'] });
    });
  }
  // The host policy, one function shared with the run time's re-check of stored objects.
  for (const v of servicePolicyViolations(spec, ctx.policy)) r.report(v.code, ['spec', ...v.path], v.message);

  if (type !== 'ExternalName' && has(spec, 'selector')) {
    const selector = checkMapSelector(spec.selector, ['spec', 'selector'], r);
    if (selector && selector.length > 0) facts.selector = stringMap(spec.selector);
  }
  ctx.facts.service = facts;
}

function checkServicePorts(ports: readonly unknown[], type: string, publishes: boolean, ctx: CheckContext, facts: ServiceFacts): void {
  const { r } = ctx;
  const names = new Map<string, number>();
  const numbers = new Map<string, number>();
  ports.forEach((p, i) => {
    const port = rec(p);
    if (!port) return;
    const at = ['spec', 'ports', i];
    const name = str(port.name);
    if (name === undefined || name === '') {
      if (ports.length > 1) r.report('missing-port-name', [...at, 'name'], 'every port of a multi-port Service needs a name', { locate: at });
    } else {
      const err = checkDns1123Label(name);
      if (err) r.report('invalid-port-name', [...at, 'name'], `port name ${quote(name)} is invalid: ${err}`);
      const first = names.get(name);
      if (first !== undefined) r.report('duplicate-port-name', [...at, 'name'], `port name ${quote(name)} is already used by ports[${first}]`);
      else names.set(name, i);
    }
    checkPortNumber(port.port, [...at, 'port'], r);
    if (typeof port.port === 'number') {
      const key = `${port.port}/${str(port.protocol) ?? 'TCP'}`;
      const first = numbers.get(key);
      if (first !== undefined) r.report('duplicate-port', [...at, 'port'], `port ${clip(key)} is already used by ports[${first}]`);
      else numbers.set(key, i);
    }
    const target = port.targetPort;
    if (typeof target === 'number') checkPortNumber(target, [...at, 'targetPort'], r);
    else if (typeof target === 'string') {
      const err = checkPortName(target);
      if (err) r.report('invalid-port-name', [...at, 'targetPort'], `targetPort ${quote(target)} is neither a number nor a valid port name: ${err}`);
      else facts.namedTargetPorts.push({ name: target, path: [...at, 'targetPort'] });
    }
    if (has(port, 'nodePort')) {
      if (!publishes)
        r.report('node-port-not-allowed', [...at, 'nodePort'], `nodePort may only be set on NodePort and LoadBalancer Services, not ${clip(type)}`, { at: 'key' });
      else {
        checkNodePort(port.nodePort, [...at, 'nodePort'], r);
        if (typeof port.nodePort === 'number') facts.nodePorts.push({ port: port.nodePort, protocol: str(port.protocol) ?? 'TCP', path: [...at, 'nodePort'] });
      }
    }
  });
}
