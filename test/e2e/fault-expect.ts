// The verdict on a fault scenario's outcome (fault-scenarios.ts), shared by the fault tests.
import { expect } from 'vitest';
import type { Outcome } from './fault-scenarios.ts';

/** Faults were injected, and the run completed in the state asked for, with no duplicate write. */
export function expectClean(outcome: Outcome): void {
  expect(outcome.faults, 'the proxy injected faults').toBeGreaterThan(0);
  expect(outcome.completed, outcome.log).toBe(true);
  expect(outcome.wrongEnd, outcome.log).toBeUndefined();
  expect(outcome.duplicates, outcome.log).toBe(0);
}
