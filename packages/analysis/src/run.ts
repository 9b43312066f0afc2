// Running the checks of one moment: each check measures `count` times, `interval` apart, and
// every measurement is judged, logged as one line and kept as a row for the step summary. The
// checks run side by side; the first one to end other than passed stops the rest, since the
// caller is about to move traffic back and every second counts.
import { describeError } from '@expeditor/shared/errors';
import { abortReason, formatDuration, sleep } from '@expeditor/shared/deadline';
import type { Log } from '@expeditor/shared/log';
import { EvaluationError } from './condition.ts';
import type { CheckPlan, Moment } from './plan.ts';
import type { Source } from './source.ts';
import type { CheckArgs } from './template.ts';
import { type CheckState, checkState, emptyTally, type MeasurementVerdict, measurementVerdict, tallied, worstState } from './verdict.ts';

export interface ReadyCheck {
  plan: CheckPlan;
  source: Source;
}

/** One evaluation, as the step summary shows it. */
export interface Evaluation {
  moment: Moment;
  /** For step: which one ("step 2 of 3, 50%"). */
  label: string | undefined;
  check: string;
  at: Date;
  value: string;
  condition: string;
  verdict: MeasurementVerdict;
}

export interface CheckOutcome {
  check: string;
  /** running: stopped because another check ended first. */
  state: CheckState;
  /** How it ended, as a sentence: "1 failed measurement (limit 0); last: 0.91: result >= 0.95 is false". */
  detail: string;
  /** The last measurement: its value as shown, and what the source said when it did not answer. */
  last: { value: string; verdict: MeasurementVerdict; error: string | undefined } | undefined;
}

export interface MomentOutcome {
  moment: Moment;
  /** The worst of the checks' states (passed when every one passed). */
  state: CheckState;
  checks: CheckOutcome[];
  /** The check that decided a state other than passed. */
  decisive: CheckOutcome | undefined;
}

export interface MomentContext {
  args: CheckArgs;
  label?: string | undefined;
  log: Log;
  /** The run's signal: a cancel or the deadline stops the checks and is thrown. */
  signal: AbortSignal;
  record(evaluation: Evaluation): void;
  /** Per measurement, for a source that hangs (default 10 s more than its own limits). */
  measureTimeoutMs?: number;
}

/** Runs `checks` for `moment`; throws only the run signal's reason (cancel, deadline). */
export async function runMoment(checks: readonly ReadyCheck[], moment: Moment, context: MomentContext): Promise<MomentOutcome> {
  const stop = new AbortController();
  const signal = AbortSignal.any([context.signal, stop.signal]);
  const outcomes = await Promise.all(
    checks.map(async (check) => {
      const outcome = await runCheck(check, moment, context, signal);
      if (outcome.state !== 'passed' && outcome.state !== 'running')
        stop.abort(new Error(`check ${check.plan.name} ended ${outcome.state}`));
      return outcome;
    }),
  );
  if (context.signal.aborted) throw abortReason(context.signal);
  const state = worstState(outcomes.map((o) => (o.state === 'running' ? 'passed' : o.state)));
  return { moment, state, checks: outcomes, decisive: outcomes.find((o) => o.state === state && state !== 'passed') };
}

async function runCheck(check: ReadyCheck, moment: Moment, context: MomentContext, signal: AbortSignal): Promise<CheckOutcome> {
  const { plan } = check;
  const condition = conditionText(plan);
  let tally = emptyTally;
  let detail = 'not measured';
  let last: CheckOutcome['last'];
  const stopped = (): CheckOutcome => ({ check: plan.name, state: 'running', detail: `stopped: ${detail}`, last });
  for (;;) {
    if (signal.aborted) return stopped();
    const m = await measure(check, context, signal);
    // Stopped mid-measurement by another check or the run: not a measurement of this check.
    if (signal.aborted) return stopped();
    tally = tallied(tally, m.verdict);
    detail = m.detail;
    last = { value: m.value, verdict: m.verdict, error: m.error };
    context.record({ moment, label: context.label, check: plan.name, at: new Date(), value: m.value, condition, verdict: m.verdict });
    const state = checkState(tally, plan.limits);
    const taken = tally.passed + tally.failed + tally.inconclusive;
    context.log.info(
      `${moment}${context.label ? ` (${context.label})` : ''} ${plan.name}: ${m.detail} → ${m.verdict} (${taken} of ${plan.limits.count}${tally.errors ? `, ${tally.errors} errors` : ''})`,
    );
    if (state !== 'running') return { check: plan.name, state, detail: endDetail(state, plan, tally, m.detail), last };
    try {
      await sleep(plan.intervalMs, signal);
    } catch {
      return stopped();
    }
  }
}

interface Judged {
  verdict: MeasurementVerdict;
  value: string;
  detail: string;
  /** Why the source gave no value. */
  error?: string;
}

async function measure(check: ReadyCheck, context: MomentContext, signal: AbortSignal): Promise<Judged> {
  const { plan } = check;
  const limit = AbortSignal.timeout(context.measureTimeoutMs ?? 20_000);
  let measured: Awaited<ReturnType<Source['measure']>>;
  try {
    measured = await check.source.measure(context.args, AbortSignal.any([signal, limit]));
  } catch (error) {
    const why =
      limit.aborted && !signal.aborted ? `no answer within ${formatDuration(context.measureTimeoutMs ?? 20_000)}` : describeError(error);
    return { verdict: 'error', value: '—', detail: `the source did not answer: ${why}`, error: why };
  }
  try {
    const success = plan.success?.evaluate(measured.value);
    const failure = plan.failure?.evaluate(measured.value);
    const verdict = measurementVerdict(success, failure);
    const said = [
      plan.success ? `${plan.success.text} is ${success}` : undefined,
      plan.failure ? `${plan.failure.text} is ${failure}` : undefined,
    ].filter(Boolean);
    return { verdict, value: measured.shown, detail: `${measured.shown}: ${said.join(', ') || 'no condition'}` };
  } catch (error) {
    if (!(error instanceof EvaluationError)) throw error;
    return { verdict: 'error', value: measured.shown, detail: `${measured.shown}: the condition ${error.message}` };
  }
}

function conditionText(plan: CheckPlan): string {
  return [plan.success ? `success: ${plan.success.text}` : undefined, plan.failure ? `failure: ${plan.failure.text}` : undefined]
    .filter(Boolean)
    .join('; ');
}

function endDetail(state: CheckState, plan: CheckPlan, tally: ReturnType<typeof tallied>, last: string): string {
  const { limits } = plan;
  switch (state) {
    case 'failed':
      return `${tally.failed} failed measurement${tally.failed === 1 ? '' : 's'} (limit ${limits.failureLimit}); last: ${last}`;
    case 'inconclusive':
      return `${tally.inconclusive} inconclusive measurement${tally.inconclusive === 1 ? '' : 's'} (limit ${limits.inconclusiveLimit}); last: ${last}`;
    case 'error':
      return `inconclusive: ${tally.consecutiveErrors} measurements in a row could not be taken (limit ${limits.consecutiveErrorLimit}); last: ${last}`;
    default:
      return `${tally.passed + tally.failed + tally.inconclusive} measurements, ${tally.passed} passed; last: ${last}`;
  }
}
