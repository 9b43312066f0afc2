// One analysis for one run: the planned checks with their sources, the evaluations kept for the
// step summary, and the three moments a switch calls — verify (before anything moves), then pre,
// each step and post. Clients come from the edge; the CloudWatch client is only needed (and only
// asked for) when a check reads CloudWatch.
import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import type { Log } from '@expeditor/shared/log';
import { ExpeditorError, describeError } from '@expeditor/shared/errors';
import { formatDuration } from '@expeditor/shared/deadline';
import { alarmSource } from './cloudwatch-alarm.ts';
import { metricSource } from './cloudwatch-metric.ts';
import { httpSource } from './http.ts';
import { type CheckPlan, type Moment, windowOf } from './plan.ts';
import { prometheusSource } from './prometheus.ts';
import { type Evaluation, type MomentOutcome, type ReadyCheck, runMoment } from './run.ts';
import type { Source } from './source.ts';
import type { CheckArgs } from './template.ts';

/** How long the look before the switch may wait for one source. */
const verifyTimeoutMs = 30_000;

export interface AnalysisClients {
  /** Made on first use: only checks that read CloudWatch need it. */
  cloudwatch?: (() => CloudWatchClient) | undefined;
  log: Log;
  /** Where evaluations are kept (the caller's, so a failed run's summary still has them); default a new list. */
  evaluations?: Evaluation[] | undefined;
}

export interface Analysis {
  readonly checks: readonly CheckPlan[];
  /** Every evaluation so far, oldest first, for the step summary. */
  readonly evaluations: readonly Evaluation[];
  /** Whether any check runs at `moment`. */
  has(moment: Moment): boolean;
  /** The least time `moment` takes: the longest check's (count - 1) × interval. */
  windowMs(moment: Moment): number;
  /**
   * Before any traffic moves: every check's source is asked once (alarms exist, queries parse,
   * sources answer). Throws an ExpeditorError naming the key of the first check refused.
   */
  verify(args: CheckArgs, signal: AbortSignal): Promise<void>;
  run(moment: Moment, args: CheckArgs, options: { signal: AbortSignal; label?: string; log?: Log }): Promise<MomentOutcome>;
}

export function createAnalysis(plans: readonly CheckPlan[], clients: AnalysisClients): Analysis {
  let cloudwatch: CloudWatchClient | undefined;
  const cw = (plan: CheckPlan): CloudWatchClient => {
    if (!clients.cloudwatch) {
      throw new ExpeditorError(`check ${plan.name} reads CloudWatch, but no CloudWatch client was given`, {
        unchanged: 'nothing was changed',
      });
    }
    cloudwatch ??= clients.cloudwatch();
    return cloudwatch;
  };
  const sourceOf = (plan: CheckPlan): Source => {
    const s = plan.source;
    switch (s.provider) {
      case 'cloudwatch-alarm':
        return alarmSource(s, plan.origin, cw(plan), clients.log);
      case 'cloudwatch-metric':
        return metricSource(s, plan.origin, cw(plan), clients.log);
      case 'prometheus':
        return prometheusSource(s, plan.origin);
      case 'http':
        return httpSource(s);
    }
  };
  const ready: ReadyCheck[] = plans.map((plan) => ({ plan, source: sourceOf(plan) }));
  const evaluations: Evaluation[] = clients.evaluations ?? [];
  const at = (moment: Moment): ReadyCheck[] => ready.filter((c) => c.plan.at.includes(moment));
  return {
    checks: plans,
    evaluations,
    has: (moment) => at(moment).length > 0,
    windowMs: (moment) => windowOf(plans, moment),
    async verify(args, signal) {
      for (const check of ready) {
        // A source that hangs must not hold the switch until the run's deadline.
        const limit = AbortSignal.timeout(verifyTimeoutMs);
        try {
          await check.source.verify(args, AbortSignal.any([signal, limit]));
        } catch (error) {
          if (signal.aborted || error instanceof ExpeditorError) throw error;
          const why = limit.aborted ? `no answer within ${formatDuration(verifyTimeoutMs)}` : describeError(error);
          throw check.plan.origin.error(undefined, `check ${check.plan.name} could not be verified: ${why}`, {
            cause: error,
            unchanged: 'nothing was changed',
          });
        }
      }
    },
    async run(moment, args, options) {
      const log = options.log ?? clients.log;
      const checks = at(moment);
      const names = checks.map((c) => c.plan.name).join(', ');
      const window = windowOf(plans, moment);
      log.info(
        `${moment} analysis${options.label ? ` (${options.label})` : ''}: ${names}${window ? `, at least ${formatDuration(window)}` : ''}`,
      );
      const outcome = await runMoment(checks, moment, {
        args,
        label: options.label,
        log,
        signal: options.signal,
        record: (e) => evaluations.push(e),
      });
      log.info(
        outcome.state === 'passed'
          ? `${moment} analysis passed`
          : `${moment} analysis ${outcome.state === 'error' ? 'inconclusive (a source did not answer)' : outcome.state}: ${outcome.decisive?.check}: ${outcome.decisive?.detail}`,
      );
      return outcome;
    },
  };
}

/** A sentence for an error message: "check alarms failed: 1 failed measurement (…)". */
export function describeOutcome(outcome: MomentOutcome): string {
  const d = outcome.decisive;
  if (!d) return `${outcome.moment} analysis passed`;
  const state = d.state === 'error' ? 'was inconclusive (its source did not answer)' : d.state === 'failed' ? 'failed' : 'was inconclusive';
  return `check ${d.check} ${state}: ${d.detail}`;
}
