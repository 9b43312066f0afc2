import { describe, expect, it } from 'vitest';
import { pollUntil } from '../../packages/shared/src/poll.ts';
import { DeadlineError, createRunSignal, formatDuration, parseDuration, withDeadline } from '../../packages/shared/src/deadline.ts';
import { ChangeLog, memoryLog } from '../../packages/shared/src/log.ts';

describe('waiting', () => {
  it('reports each change of state once and returns when done', async () => {
    const states = ['PENDING', 'PENDING', 'PENDING', 'IN_PROGRESS', 'IN_PROGRESS', 'COMPLETED'];
    const seen: string[] = [];
    let i = 0;
    const result = await pollUntil({
      read: async () => {
        const state = states[i++] ?? 'COMPLETED';
        return { state, done: state === 'COMPLETED' };
      },
      fingerprint: (s) => s,
      onChange: (s) => seen.push(s),
      minIntervalMs: 1,
      maxIntervalMs: 4,
    });
    expect(result).toEqual({ state: 'COMPLETED', polls: 6 });
    expect(seen).toEqual(['PENDING', 'IN_PROGRESS', 'COMPLETED']);
  });

  it('polls within the far bounds while the end is not near, and within the normal ones once it is', async () => {
    const gaps: number[] = [];
    let last = 0;
    let i = 0;
    // Unchanged state throughout; the third read on says the end is near.
    await pollUntil({
      read: async () => {
        const now = performance.now();
        if (last) gaps.push(now - last);
        last = now;
        i++;
        return { state: 'x', done: i === 6, near: i >= 3 };
      },
      fingerprint: (s) => s,
      minIntervalMs: 1,
      maxIntervalMs: 2,
      factor: 2,
      far: { minIntervalMs: 500, maxIntervalMs: 600 },
    });
    // After reads 1 and 2 (far): at least the far minimum; after reads 3-5 (near): 1-2 ms sleeps,
    // far below it even on a busy machine.
    expect(gaps.slice(0, 2).every((g) => g >= 499)).toBe(true);
    expect(gaps.slice(2).every((g) => g < 499)).toBe(true);
  });

  it('stops at the deadline with an error that says so', async () => {
    const signal = withDeadline(undefined, 30);
    const error = await pollUntil({
      signal,
      read: async () => ({ state: 'IN_PROGRESS', done: false }),
      fingerprint: (s) => s,
      minIntervalMs: 5,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DeadlineError);
    expect((error as Error).message).toBe('the deadline of 30 ms ran out');
  });

  it('is cancelled by SIGTERM like a cancelled workflow', async () => {
    const run = createRunSignal();
    const waiting = pollUntil({
      signal: run.signal,
      read: async () => ({ state: 'x', done: false }),
      fingerprint: (s) => s,
      minIntervalMs: 10_000,
    }).catch((e: unknown) => e);
    process.emit('SIGTERM', 'SIGTERM');
    const error = await waiting;
    run.dispose();
    expect((error as Error).name).toBe('CancelledError');
    expect((error as Error).message).toBe('the run was cancelled (SIGTERM)');
  });

  it('parses and prints durations', () => {
    expect(parseDuration('90')).toBe(90_000);
    expect(parseDuration('1h30m')).toBe(5_400_000);
    expect(parseDuration('250ms')).toBe(250);
    expect(parseDuration('10 minutes')).toBeUndefined();
    expect(formatDuration(1234)).toBe('1.2 s');
    expect(formatDuration(125_000)).toBe('2 min 5 s');
  });

  it('logs a line per change, not per report', () => {
    const log = memoryLog();
    const changes = new ChangeLog(log);
    for (const line of ['green: 0/3 available', 'green: 0/3 available', 'green: 2/3 available', 'green: 2/3 available']) {
      changes.report('green', line);
    }
    expect(log.lines).toEqual(['green: 0/3 available', 'green: 2/3 available']);
  });

  it('never prints a masked secret', () => {
    const log = memoryLog();
    log.mask('AKIASECRET');
    log.info('using key AKIASECRET now');
    expect(log.lines).toEqual(['using key *** now']);
  });
});
