// The decisions of an analysis, as plain functions: what one measurement says, and what a run of
// measurements adds up to. The semantics follow Argo Rollouts' AnalysisTemplate so people can
// carry their templates over: a measurement that errors (the source did not answer) is an error,
// not a failure; with both conditions, neither being true is inconclusive; a check ends failed
// once its failures exceed the failure limit, inconclusive once its inconclusive measurements
// exceed theirs, in error once errors in a row exceed theirs, and passed after `count` measurements.

/** What one measurement says. */
export type MeasurementVerdict = 'passed' | 'failed' | 'inconclusive' | 'error';
/** Where a check stands: still measuring, or ended. */
export type CheckState = 'running' | 'passed' | 'failed' | 'inconclusive' | 'error';

/**
 * One measurement from its conditions' answers (undefined: no such condition). With neither
 * condition every answer passes; with only `success`, not success is a failure; with only
 * `failure`, not failure passes; with both, failure wins, then success, else inconclusive.
 */
export function measurementVerdict(success: boolean | undefined, failure: boolean | undefined): 'passed' | 'failed' | 'inconclusive' {
  if (failure === true) return 'failed';
  if (success === undefined && failure === undefined) return 'passed';
  if (failure === undefined) return success ? 'passed' : 'failed';
  if (success === undefined) return 'passed';
  return success ? 'passed' : 'inconclusive';
}

export interface Tally {
  passed: number;
  failed: number;
  inconclusive: number;
  errors: number;
  /** Errors since the last measurement that did not error. */
  consecutiveErrors: number;
}

export interface Limits {
  /** Measurements (not counting errors) after which the check has passed. */
  count: number;
  failureLimit: number;
  inconclusiveLimit: number;
  consecutiveErrorLimit: number;
}

export const emptyTally: Readonly<Tally> = { passed: 0, failed: 0, inconclusive: 0, errors: 0, consecutiveErrors: 0 };

/** The tally after one more measurement. */
export function tallied(tally: Readonly<Tally>, verdict: MeasurementVerdict): Tally {
  if (verdict === 'error') return { ...tally, errors: tally.errors + 1, consecutiveErrors: tally.consecutiveErrors + 1 };
  return { ...tally, [verdict]: tally[verdict] + 1, consecutiveErrors: 0 };
}

/** Where a check stands after the measurements tallied so far. */
export function checkState(tally: Readonly<Tally>, limits: Readonly<Limits>): CheckState {
  if (tally.failed > limits.failureLimit) return 'failed';
  if (tally.inconclusive > limits.inconclusiveLimit) return 'inconclusive';
  if (tally.consecutiveErrors > limits.consecutiveErrorLimit) return 'error';
  // Errors do not count towards `count`: a source that errors now and then is measured again.
  if (tally.passed + tally.failed + tally.inconclusive >= limits.count) return 'passed';
  return 'running';
}

/** The worst of several ended states: failed, then error, then inconclusive, then passed. */
export function worstState(states: readonly CheckState[]): CheckState {
  const rank: Record<CheckState, number> = { passed: 0, running: 1, inconclusive: 2, error: 3, failed: 4 };
  return states.reduce<CheckState>((worst, s) => (rank[s] > rank[worst] ? s : worst), 'passed');
}
