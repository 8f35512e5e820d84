import { describe, expect, it } from 'vitest';
import { displayable } from '../../ui/src/lib/display.js';

describe('displayable: API answers made fit to show', () => {
  it.each<[string, unknown, unknown]>([
    ['a right-to-left override in a commit subject is shown, not obeyed', { commit: { message: 'fix \u202Etxt.exe' } }, { commit: { message: 'fix \\u202etxt.exe' } }],
    ['an ESC sequence in an event message', [{ message: 'x\u001b[2Jy' }], [{ message: 'x\\u001b[2Jy' }]],
    ['newlines and tabs stay (they are text)', { yaml: 'a: 1\n\tb: 2\n' }, { yaml: 'a: 1\n\tb: 2\n' }],
    ['numbers, booleans and null pass as they are', { n: 3, ok: true, none: null }, { n: 3, ok: true, none: null }],
    ['names and keys the UI sends back are untouched', { kind: 'Deployment', namespace: 'default', name: 'web-1' }, { kind: 'Deployment', namespace: 'default', name: 'web-1' }],
  ])('%s', (_what, input, expected) => {
    expect(displayable(input)).toEqual(expected);
  });
});
