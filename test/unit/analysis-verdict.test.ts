import { describe, expect, it } from 'vitest';
import {
  type CheckState,
  checkState,
  emptyTally,
  type Limits,
  type MeasurementVerdict,
  measurementVerdict,
  tallied,
  worstState,
} from '../../packages/analysis/src/verdict.ts';

describe('one measurement (Argo semantics)', () => {
  it.each<[boolean | undefined, boolean | undefined, string]>([
    [undefined, undefined, 'passed'],
    [true, undefined, 'passed'],
    [false, undefined, 'failed'],
    [undefined, true, 'failed'],
    [undefined, false, 'passed'],
    [true, false, 'passed'],
    [false, true, 'failed'],
    [true, true, 'failed'],
    [false, false, 'inconclusive'],
  ])('success %s, failure %s → %s', (success, failure, verdict) => {
    expect(measurementVerdict(success, failure)).toBe(verdict);
  });
});

describe('a check over its measurements', () => {
  const limits: Limits = { count: 3, failureLimit: 0, inconclusiveLimit: 0, consecutiveErrorLimit: 2 };
  const after = (verdicts: MeasurementVerdict[], l: Partial<Limits> = {}): CheckState => {
    let tally = emptyTally;
    let state: CheckState = 'running';
    for (const v of verdicts) {
      tally = tallied(tally, v);
      state = checkState(tally, { ...limits, ...l });
      if (state !== 'running') break;
    }
    return state;
  };

  it.each<[MeasurementVerdict[], Partial<Limits>, CheckState]>([
    [['passed'], {}, 'running'],
    [['passed', 'passed', 'passed'], {}, 'passed'],
    [['passed', 'failed'], {}, 'failed'],
    [['failed', 'passed', 'passed'], { failureLimit: 1 }, 'passed'],
    [['failed', 'failed'], { failureLimit: 1 }, 'failed'],
    [['inconclusive'], {}, 'inconclusive'],
    [['inconclusive', 'passed', 'passed'], { inconclusiveLimit: 1 }, 'passed'],
    // An error is not a failure: it is measured again and does not count towards count.
    [['error', 'passed', 'passed', 'passed'], {}, 'passed'],
    [['error', 'error', 'passed', 'error', 'error', 'passed', 'passed'], {}, 'passed'],
    [['error', 'error', 'error'], {}, 'error'],
    [['passed', 'error', 'error', 'error'], {}, 'error'],
    [['error'], { consecutiveErrorLimit: 0 }, 'error'],
    [['passed'], { count: 1 }, 'passed'],
  ])('%j with %j → %s', (verdicts, l, state) => {
    expect(after(verdicts, l)).toBe(state);
  });

  it('the worst state decides a moment', () => {
    expect(worstState(['passed', 'passed'])).toBe('passed');
    expect(worstState(['passed', 'inconclusive'])).toBe('inconclusive');
    expect(worstState(['inconclusive', 'error'])).toBe('error');
    expect(worstState(['error', 'failed', 'passed'])).toBe('failed');
    expect(worstState([])).toBe('passed');
  });
});
