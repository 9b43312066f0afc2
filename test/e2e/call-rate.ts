// How a wait spent its describe calls, from the bed's call log: each read's rank against the
// share of the minute that had passed since the wait began (12 a minute: the k-th read may come
// no sooner than k × 5 s in).
import { expect } from 'vitest';
import type { MotoPart } from '../bed/types.ts';
import { callsOf } from './deploy-ecs-bed.ts';

/**
 * Asserts that `reads` (bed actions) made by `account` from the first `start` call since `since`
 * until `until` (the action's exit: later reads are the test's own) kept to `perMinute`.
 */
export async function expectReadsWithinBudget(
  moto: MotoPart,
  options: { account: string; since: number; until: number; start: string; reads: string[]; perMinute?: number },
): Promise<number> {
  const perMinute = options.perMinute ?? 12;
  const started = (await callsOf(moto, options.start, options.since, options.account))[0]?.at;
  expect(started, `no ${options.start} call`).toBeDefined();
  const reads = (await Promise.all(options.reads.map((a) => callsOf(moto, a, options.since, options.account))))
    .flat()
    .map((c) => c.at)
    .filter((at) => at >= started! && at <= options.until)
    .sort((a, b) => a - b);
  expect(reads.length, 'no reads while waiting').toBeGreaterThan(0);
  for (const [i, at] of reads.entries()) {
    expect(i + 1, `read ${i + 1} came ${at - started!} ms after ${options.start}`).toBeLessThanOrEqual(
      ((at - started!) * perMinute) / 60_000,
    );
  }
  // And no 60 s holds more than perMinute of them.
  for (const at of reads) expect(reads.filter((r) => r > at - 60_000 && r <= at).length).toBeLessThanOrEqual(perMinute);
  return reads.length;
}
