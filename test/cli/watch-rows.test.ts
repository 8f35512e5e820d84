import { describe, expect, it } from 'vitest';
import type { Tracked } from '../../src/cli/output/watch-rows.js';
import { alignRow, columnWidths, documentSeparator, firstLook, watchStep } from '../../src/cli/output/watch-rows.js';
import { formatColumns } from '../../src/cli/output/table.js';

/** A snapshot written `name=row`: the row is both what is compared and what is printed. */
function snapshot(text: string): Tracked<string>[] {
  return text
    .split(' ')
    .filter((x) => x !== '')
    .map((pair) => {
      const [key, change] = pair.split('=') as [string, string];
      return { key, change, item: `${key}=${change}` };
    });
}

/** The rows a watch prints after the first look, look by look: `+` printed again, `-` deleted (its last row). */
function printed(looks: string[]): string[][] {
  let seen = firstLook(snapshot(looks[0]!));
  return looks.slice(1).map((look) => {
    const step = watchStep(seen, snapshot(look));
    seen = step.seen;
    return step.emit.map((e) => `${e.deleted ? '-' : '+'}${e.item}`);
  });
}

describe('which rows a watch prints for a sequence of looks', () => {
  it.each([
    { name: 'nothing changes: nothing printed', looks: ['a=Running b=Running', 'a=Running b=Running', 'a=Running b=Running'], want: [[], []] },
    {
      name: 'a new pod: its row each time it prints differently',
      looks: ['a=Running', 'a=Running b=Pending', 'a=Running b=ContainerCreating', 'a=Running b=ContainerCreating', 'a=Running b=Running'],
      want: [['+b=Pending'], ['+b=ContainerCreating'], [], ['+b=Running']],
    },
    {
      name: 'a pod terminating then gone: the Terminating row, then its last row again as deleted',
      looks: ['a=Running b=Running', 'a=Running b=Terminating', 'a=Running'],
      want: [['+b=Terminating'], ['-b=Terminating']],
    },
    { name: 'a pod gone between two looks: its last row once', looks: ['a=Running b=Running', 'a=Running', 'a=Running'], want: [['-b=Running'], []] },
    {
      name: 'several at once: in the new listing\'s order, deletions after',
      looks: ['b=Running c=Running', 'a=Pending b=Completed', 'a=Running b=Completed c=Pending'],
      want: [['+a=Pending', '+b=Completed', '-c=Running'], ['+a=Running', '+c=Pending']],
    },
    { name: 'gone and back with the same row: printed again (kubectl: ADDED)', looks: ['a=Running', '', 'a=Running'], want: [['-a=Running'], ['+a=Running']] },
    { name: 'an empty first look (--watch-only of an empty namespace)', looks: ['', 'a=Pending'], want: [['+a=Pending']] },
    { name: 'a key listed twice counts once', looks: ['a=Running', 'a=Pending a=Pending'], want: [['+a=Pending']] },
  ])('$name', ({ looks, want }) => {
    expect(printed(looks)).toEqual(want);
  });
});

describe('watch rows line up under the table printed first', () => {
  const header = ['NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE'];
  const listing = [header, ['web-1', '1/1', 'Running', '0', '5s']];
  it.each([
    { name: 'a row that fits: the same columns', row: ['web-2', '0/1', 'Pending', '0', '0s'], want: 'web-2   0/1     Pending   0          0s\n' },
    { name: 'a wider cell pushes the rest right by kubectl\'s 3 spaces', row: ['web-2', '0/1', 'ContainerCreating', '0', '0s'], want: 'web-2   0/1     ContainerCreating   0          0s\n' },
    { name: 'no trailing spaces when the last cell is empty', row: ['web-2', '0/1', 'Pending', '0', ''], want: 'web-2   0/1     Pending   0\n' },
  ])('$name', ({ row, want }) => {
    expect(alignRow(row, columnWidths(listing))).toBe(want);
  });

  it('the listing itself prints as formatColumns prints a table', () => {
    const rows = [...listing, ['web-10', '0/1', 'CrashLoopBackOff', '12 (3s ago)', '2m']];
    const widths = columnWidths(rows);
    expect(rows.map((r) => alignRow(r, widths)).join('')).toBe(formatColumns(rows));
  });
});

describe('documents of a watch', () => {
  it.each([
    { format: 'json' as const, before: 0, want: '' },
    { format: 'json' as const, before: 3, want: '' },
    { format: 'yaml' as const, before: 0, want: '' },
    { format: 'yaml' as const, before: 1, want: '---\n' },
  ])('$format after $before documents: "$want"', ({ format, before, want }) => {
    expect(documentSeparator(format, before)).toBe(want);
  });
});
