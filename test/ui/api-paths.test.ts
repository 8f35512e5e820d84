import { describe, expect, it } from 'vitest';
import { actionsFor, paths, splitCommand } from '../../ui/src/lib/api-paths.js';

describe('API paths', () => {
  it.each([
    [paths.object({ kind: 'Deployment', namespace: 'shop', name: 'web' }), '/api/v1/object?kind=Deployment&namespace=shop&name=web'],
    [paths.object({ kind: 'Namespace', name: 'shop' }), '/api/v1/object?kind=Namespace&name=shop'],
    [paths.object({ kind: 'Pod', namespace: 'a&b', name: 'c d' }), '/api/v1/object?kind=Pod&namespace=a%26b&name=c+d'],
    [paths.logs({ namespace: 'shop', pod: 'web-1', container: 'web', tailLines: 100, follow: true }), '/api/v1/logs?namespace=shop&pod=web-1&container=web&tailLines=100&follow=true'],
    [paths.logs({ namespace: 'shop', pod: 'web-1' }), '/api/v1/logs?namespace=shop&pod=web-1'],
    [paths.events(200), '/api/v1/events?limit=200'],
    [paths.passes(50), '/api/v1/passes?limit=50'],
    [paths.action(12), '/api/v1/actions/12'],
    [paths.execSocket({ protocol: 'http:', host: '127.0.0.1:7420' }, 'tk'), 'ws://127.0.0.1:7420/api/v1/exec?ticket=tk'],
    [paths.execSocket({ protocol: 'https:', host: 'berth.example.com' }, 'a/b+'), 'wss://berth.example.com/api/v1/exec?ticket=a%2Fb%2B'],
  ])('%s', (actual, expected) => {
    expect(actual).toBe(expected);
  });

  it.each([
    ['Deployment', ['undo', 'restart', 'pause', 'resume', 'scale']],
    ['StatefulSet', ['undo', 'restart', 'scale']],
    ['DaemonSet', ['undo', 'restart']],
    ['ReplicaSet', ['scale']],
    ['Pod', []],
  ])('actions of a %s', (kind, expected) => {
    expect([...actionsFor(kind)]).toEqual(expected);
  });

  it.each([
    ['sh', ['sh']],
    ['  ls   -la /  ', ['ls', '-la', '/']],
    ['sh -c "echo hi there"', ['sh', '-c', 'echo hi there']],
    ["sh -c 'echo \"q\"'", ['sh', '-c', 'echo "q"']],
    ['echo "a \\" b"', ['echo', 'a " b']],
    ['', []],
  ])('splitCommand(%j)', (text, expected) => {
    expect(splitCommand(text)).toEqual(expected);
  });
});
