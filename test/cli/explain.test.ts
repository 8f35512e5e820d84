import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';

describe('berth explain', () => {
  it.each([
    { argv: ['explain', 'deployment'], has: 'GROUP:      apps\nKIND:       Deployment\nVERSION:    v1\n' },
    { argv: ['explain', 'deployment.spec.strategy'], has: 'FIELD: strategy <DeploymentStrategy>\nBERTH: runs\n' },
    { argv: ['explain', 'pod.spec.containers.livenessProbe'], has: '  httpGet\t<HTTPGetAction>\n  berth: runs\n' },
    { argv: ['explain', 'deployments.apps.spec.replicas'], has: 'FIELD: replicas <integer>\n' },
    { argv: ['explain', 'po.spec.affinity'], has: 'BERTH: warns: accepted and ignored, with a warning' },
    { argv: ['explain', 'svc', '--recursive'], has: '  spec\t<ServiceSpec> -required-\n    allocateLoadBalancerNodePorts\t<any> (berth: warns)\n' },
    { argv: ['explain', 'deploy', '--api-version', 'apps/v1'], has: 'VERSION:    v1\n' },
    { argv: ['explain', 'deploy', '--api-version', 'extensions/v1beta1'], has: 'BERTH:      reads extensions/v1beta1 (deprecated) and converts it to apps/v1' },
  ])('$argv: exit 0', async ({ argv, has }) => {
    const run = await runCli(argv);
    expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: '' });
    expect(run.stdout).toContain(has);
  });

  it.each([
    // kubectl's words and exit code for a field that does not exist.
    { argv: ['explain', 'deployment.spec.nope'], code: 1, err: 'error: field "nope" does not exist\n' },
    { argv: ['explain', 'pod.spec.containers.image.tag'], code: 1, err: 'error: field "tag" does not exist\n' },
    { argv: ['explain', 'deploy', '--api-version', 'apps/v2'], code: 1, err: 'error: berth has no deployments in apps/v2; it reads apps/v1, extensions/v1beta1, apps/v1beta1, apps/v1beta2\n' },
    // A kind berth does not know: as `berth get`.
    { argv: ['explain', 'widgets.spec'], code: 1, err: 'error: berth has no resource type "widgets"; known types: namespaces (ns)' },
    { argv: ['explain'], code: 2, err: "missing required argument 'resource'" },
  ])('$argv: exit $code', async ({ argv, code, err }) => {
    const run = await runCli(argv);
    expect(run.code).toBe(code);
    expect(run.stderr).toContain(err);
    expect(run.stdout).toBe('');
  });
});
