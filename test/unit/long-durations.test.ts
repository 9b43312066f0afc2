// Durations past Node's timer limit (2^31-1 ms, about 24.8 days) must neither fire at once nor be
// accepted past the longest a job can run: `timeout: 600h` once became a 1 ms deadline.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { longTimeout, longestJobMs } from '@expeditor/shared/deadline';
import type { ProblemsError } from '@expeditor/shared/errors';
import { ActionInputs, inputEnv } from '@expeditor/shared/inputs';

afterEach(() => vi.useRealTimers());

describe('longTimeout', () => {
  it('waits the whole delay past the timer limit instead of firing at once', () => {
    vi.useFakeTimers();
    const fired = vi.fn();
    longTimeout(fired, 2 ** 31 + 5_000);
    vi.advanceTimersByTime(10);
    expect(fired).not.toHaveBeenCalled();
    vi.advanceTimersByTime(2 ** 31 - 10);
    expect(fired).not.toHaveBeenCalled();
    vi.advanceTimersByTime(5_001);
    expect(fired).toHaveBeenCalledOnce();
  });

  it('can be cleared in any step', () => {
    vi.useFakeTimers();
    const fired = vi.fn();
    const timer = longTimeout(fired, 2 ** 31 + 5_000);
    vi.advanceTimersByTime(2 ** 31);
    timer.clear();
    vi.advanceTimersByTime(10_000);
    expect(fired).not.toHaveBeenCalled();
  });
});

describe('duration inputs', () => {
  const read = (value: string) => {
    const inputs = new ActionInputs(inputEnv({ timeout: value }));
    const ms = inputs.duration('timeout', '30m');
    try {
      inputs.done('test');
      return { ms, problems: [] as string[] };
    } catch (error) {
      return { ms, problems: (error as ProblemsError).problems.map((p) => p.message) };
    }
  };

  it.each([
    ['30m', 1_800_000],
    ['6h', 21_600_000],
    ['840h', longestJobMs],
  ])('%s is %d ms', (value, ms) => {
    expect(read(value)).toEqual({ ms, problems: [] });
  });

  it.each(['841h', '600000h', '99999999999'])('%s is refused as longer than any job', (value) => {
    expect(read(value).problems).toEqual([expect.stringMatching(/^input 'timeout': .* is longer than any job can run/)]);
  });
});
