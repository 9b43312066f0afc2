// What a switch records on the object it moves, read back for rollback, cleanup and messages.
import { thrown } from './eks-fixtures.ts';
import { describe, expect, it } from 'vitest';
import {
  describeRecord,
  readRecord,
  recordAnnotations,
  targetColor,
  type RecordedSwitch,
} from '../../actions/bluegreen-switch/src/eks/record.ts';

const at = new Date('2025-12-01T09:30:00.000Z');
const run = 'https://github.com/o/r/actions/runs/42';

describe('recordAnnotations', () => {
  it.each([
    ['a full record', { previousColor: 'blue' as const, switchedAt: at, commit: 'c0ffee', runUrl: run }, { commit: 'c0ffee', run }],
    [
      'empty commit and run remove an older run’s',
      { previousColor: 'green' as const, switchedAt: at, commit: '', runUrl: '' },
      { commit: null, run: null },
    ],
  ])('%s', (_, record, expected) => {
    expect(recordAnnotations(record)).toEqual({
      'expeditor.dev/previous-color': record.previousColor,
      'expeditor.dev/switched-at': '2025-12-01T09:30:00.000Z',
      'expeditor.dev/commit': expected.commit,
      'expeditor.dev/run-url': expected.run,
    });
  });

  it('reads back as written', () => {
    const written = recordAnnotations({ previousColor: 'blue', switchedAt: at, commit: 'c0ffee', runUrl: run }) as Record<string, string>;
    expect(readRecord(written)).toEqual({ previousColor: 'blue', switchedAt: at, commit: 'c0ffee', runUrl: run });
  });
});

describe('readRecord', () => {
  it.each([
    ['no annotations', undefined, { previousColor: undefined, switchedAt: undefined, commit: undefined, runUrl: undefined }],
    [
      'someone else’s annotations only',
      { 'kubectl.kubernetes.io/last-applied-configuration': '{}' },
      { previousColor: undefined, switchedAt: undefined, commit: undefined, runUrl: undefined },
    ],
    [
      'a color that is not one',
      { 'expeditor.dev/previous-color': 'red' },
      { previousColor: undefined, switchedAt: undefined, commit: undefined, runUrl: undefined },
    ],
    [
      'a time that is not one',
      { 'expeditor.dev/previous-color': 'green', 'expeditor.dev/switched-at': 'yesterday' },
      { previousColor: 'green', switchedAt: undefined, commit: undefined, runUrl: undefined },
    ],
    [
      'empty commit and run',
      { 'expeditor.dev/commit': '', 'expeditor.dev/run-url': '' },
      { previousColor: undefined, switchedAt: undefined, commit: undefined, runUrl: undefined },
    ],
  ])('%s', (_, annotations, expected) => {
    expect(readRecord(annotations)).toEqual(expected);
  });
});

describe('describeRecord', () => {
  const none: RecordedSwitch = { previousColor: undefined, switchedAt: undefined, commit: undefined, runUrl: undefined };
  it.each([
    ['nothing recorded', none, ''],
    ['the run wins over the commit', { ...none, runUrl: run, commit: 'c0ffee', switchedAt: at }, `by ${run} at 2025-12-01T09:30:00.000Z`],
    ['a commit, shortened', { ...none, commit: '0123456789abcdef0123' }, 'for commit 0123456789ab'],
    ['only the time', { ...none, switchedAt: at }, 'at 2025-12-01T09:30:00.000Z'],
  ])('%s', (_, record, text) => {
    expect(describeRecord(record)).toBe(text);
  });
});

describe('targetColor', () => {
  const recorded = (previousColor: 'blue' | 'green' | undefined): RecordedSwitch => ({
    previousColor,
    switchedAt: undefined,
    commit: undefined,
    runUrl: undefined,
  });
  it.each([
    ['a switch goes to the other color', false, 'blue', undefined, recorded(undefined), 'green'],
    ['a switch goes where asked', false, 'blue', 'blue', recorded('green'), 'blue'],
    ['a rollback goes to the recorded color', true, 'green', undefined, recorded('blue'), 'blue'],
    ['a rollback ignores what was asked', true, 'green', 'green', recorded('blue'), 'blue'],
  ] as const)('%s', (_, rollback, live, asked, rec, expected) => {
    expect(targetColor({ object: 'Service shop', recorded: rec, live, rollback, asked })).toBe(expected);
  });

  it('a rollback without a record is an error saying what is still live', () => {
    const error = thrown(() =>
      targetColor({ object: 'Ingress web', recorded: recorded(undefined), live: 'green', rollback: true, asked: undefined }),
    );
    expect(error.message).toBe('Ingress web has no recorded switch to roll back (annotation expeditor.dev/previous-color)');
    expect(error.unchanged).toBe('nothing was changed; green still serves');
  });
});
