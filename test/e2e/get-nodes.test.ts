import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Harness } from './cli-support.js';
import { cells, docker, harness } from './cli-support.js';

/**
 * `get nodes` and `describe node` against the real engine: the node is the Docker host, named
 * as `get pods -o wide` names it, its runtime version the engine's.
 */
let h: Harness;
let info: { Name: string; ServerVersion: string; NCPU: number; KernelVersion: string };

beforeAll(async () => {
  h = await harness('e2e-nodes');
  info = (await docker.info()) as typeof info;
});

afterAll(async () => {
  await h.cleanup();
});

describe('berth get nodes', () => {
  it("lists the Docker host, Ready, with kubectl's columns", async () => {
    const r = await h.berth(['get', 'nodes']);
    expect(r.code).toBe(0);
    expect(cells(r.stdout)).toEqual([
      ['NAME', 'STATUS', 'ROLES', 'AGE', 'VERSION'],
      [info.Name.toLowerCase(), 'Ready', '<none>', '<unknown>', expect.stringMatching(/^berth-v\d+\.\d+\.\d+/)],
    ]);
  });

  it('-o wide: the OS image, kernel and docker:// runtime version', async () => {
    const [header, row] = cells((await h.berth(['get', 'no', '-o', 'wide'])).stdout);
    expect(header!.slice(5)).toEqual(['INTERNAL-IP', 'EXTERNAL-IP', 'OS-IMAGE', 'KERNEL-VERSION', 'CONTAINER-RUNTIME']);
    expect(row!.slice(-2)).toEqual([info.KernelVersion, `docker://${info.ServerVersion}`]);
  });

  it('-o json of one node is the Node; jsonpath reads it; -l selects by node label', async () => {
    const name = info.Name.toLowerCase();
    const node = JSON.parse((await h.berth(['get', 'node', name, '-o', 'json'])).stdout) as { kind: string; status: { capacity: { cpu: string } } };
    expect({ kind: node.kind, cpu: node.status.capacity.cpu }).toEqual({ kind: 'Node', cpu: String(info.NCPU) });
    expect((await h.berth(['get', 'nodes', '-o', 'jsonpath={.items[*].metadata.labels.kubernetes\\.io/hostname}'])).stdout).toBe(name);
    expect((await h.berth(['get', 'nodes', '-o', 'name', '-l', 'kubernetes.io/os=linux'])).stdout).toBe(`node/${name}\n`);
    const none = await h.berth(['get', 'nodes', '-l', 'kubernetes.io/os=plan9']);
    expect(none).toEqual({ code: 0, stdout: '', stderr: 'No resources found\n' });
  });

  it('a name that is not the host: NotFound, exit 1', async () => {
    expect(await h.berth(['get', 'node', 'elsewhere'])).toEqual({ code: 1, stdout: '', stderr: 'Error (NotFound): nodes "elsewhere" not found\n' });
  });

  it("describe node: kubectl's layout with the app's pods", async () => {
    const r = await h.berth(['describe', 'node']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^Name:\\s+${info.Name.toLowerCase()}\\nRoles:\\s+<none>\\n`));
    expect(r.stdout).toContain(`Container Runtime Version:  docker://${info.ServerVersion}\n`);
    expect(r.stdout).toContain(`Non-terminated Pods:          (0 in total, of app ${h.app})\n`);
  });
});
