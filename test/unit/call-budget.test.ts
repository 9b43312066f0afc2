import { describe, expect, it } from 'vitest';
import { CallBudget } from '@expeditor/aws/call-budget';
import { CancelledError } from '../../packages/shared/src/deadline.ts';

/** A budget on a clock the test moves by hand. */
function budgetAt(options: ConstructorParameters<typeof CallBudget>[0]) {
  let now = 1_000_000;
  const budget = new CallBudget(options, () => now);
  return {
    budget,
    advance: (ms: number) => (now += ms),
    get now() {
      return now;
    },
  };
}

/**
 * A caller that calls as soon as the budget lets it (never sooner than `gapMs` apart, or
 * `farGapMs` while far), for `forMs`; `near(t)` says whether the end looks near at t ms into the
 * wait. Returns the call times.
 */
function greedy(
  options: ConstructorParameters<typeof CallBudget>[0],
  forMs: number,
  gapMs: number,
  near: (t: number) => boolean,
  farGapMs = gapMs,
): number[] {
  const clock = budgetAt(options);
  const start = clock.now;
  const calls: number[] = [];
  let t = 0;
  while (t <= forMs) {
    const isNear = near(t);
    clock.budget.setNear(isNear);
    const wait = clock.budget.delayMs();
    if (wait > 0) {
      clock.advance(wait);
      t = clock.now - start;
      continue;
    }
    clock.budget.charge();
    calls.push(t);
    clock.advance(isNear ? gapMs : farGapMs);
    t = clock.now - start;
  }
  return calls.filter((c) => c <= forMs);
}

const rate = { perMinute: 12, burst: 4, keepWhileFar: 1 };

describe('call budget', () => {
  it('starts empty: the first call of a wait comes after one call’s share of the minute (5 s at 12 a minute), or two shares while far', () => {
    const near = budgetAt(rate);
    near.budget.setNear(true);
    expect(near.budget.delayMs()).toBe(5000);
    const far = budgetAt(rate);
    expect(far.budget.delayMs()).toBe(10_000);
  });

  it('never averages more than the rate since the wait began, however short the wait', () => {
    for (const forMs of [7000, 12_000, 25_000, 40_000, 90_000, 300_000]) {
      const calls = greedy(rate, forMs, 100, () => true);
      for (const at of calls) expect(calls.filter((c) => c <= at).length).toBeLessThanOrEqual(Math.floor((at * 12) / 60_000) + 1e-9);
      expect(calls.length).toBeLessThanOrEqual((forMs * 12) / 60_000);
    }
  });

  it('allows no more than the rate in any 60 s, even after saving calls up', () => {
    // Far for two minutes, calling every 10 s (saving calls up to the burst), then near and calling
    // as fast as allowed.
    const calls = greedy(rate, 400_000, 100, (t) => t > 120_000, 10_000);
    for (const at of calls) expect(calls.filter((c) => c > at - 60_000 && c <= at).length).toBeLessThanOrEqual(12);
    // It did spend the saved calls: right after turning near it called faster than every 5 s.
    const nearCalls = calls.filter((c) => c > 120_000 && c < 135_000);
    expect(nearCalls.length).toBeGreaterThan(3);
  });

  it('keeps a call in hand while far, so the near end can call at once', () => {
    const clock = budgetAt(rate);
    clock.advance(10_000);
    expect(clock.budget.delayMs()).toBe(0);
    clock.budget.charge(); // one left in hand
    expect(clock.budget.delayMs()).toBeGreaterThan(0);
    clock.budget.setNear(true);
    expect(clock.budget.delayMs()).toBe(0);
  });

  it('counts calls that could not wait, and makes the next ones wait for them', () => {
    const clock = budgetAt(rate);
    clock.budget.charge();
    clock.budget.charge();
    clock.budget.setNear(true);
    expect(clock.budget.spent).toBe(2);
    // Two calls owed, then one more to afford: 15 s at 12 a minute.
    expect(clock.budget.delayMs()).toBe(15_000);
  });

  it('stops waiting when the run is cancelled', async () => {
    const budget = new CallBudget(rate);
    const controller = new AbortController();
    const waiting = budget.take(controller.signal);
    controller.abort(new CancelledError('SIGTERM'));
    await expect(waiting).rejects.toBeInstanceOf(CancelledError);
    expect(budget.spent).toBe(0);
  });

  it('refuses a budget that could never allow a call', () => {
    expect(() => new CallBudget({ perMinute: 0, burst: 4 })).toThrow(RangeError);
    expect(() => new CallBudget({ perMinute: 12, burst: 0 })).toThrow(RangeError);
  });
});
