// The EKS switch's use of the analysis package: which checks a run has (the environment's or the
// input's, plus the probe-url input as an HTTP check at each canary step), the look before any
// traffic moves (sources answer, alarms exist, the run's deadline leaves room for every window),
// and the sentences its errors are made of.
import { type Analysis, createAnalysis, describeOutcome } from '@expeditor/analysis/analysis';
import type { CheckPlan } from '@expeditor/analysis/plan';
import type { CheckArgs } from '@expeditor/analysis/template';
import { parseCondition } from '@expeditor/analysis/condition';
import { ExpeditorError, InputError } from '@expeditor/shared/errors';
import { eksWindowsMs, windowsError, windowsProblem } from '../analysis-deadline.ts';
import type { Color } from '@expeditor/bluegreen/names';
import type { EksSwitchDeps, EksSwitchOptions } from './types.ts';

/** The probe-url input as a check: one GET after each canary step, a 2xx passes, no answer fails the step at once. */
export function probeCheck(url: string, timeoutMs: number): CheckPlan {
  return {
    name: 'probe',
    origin: { error: (_field, message, details) => new InputError('probe-url', message, details.next) },
    at: ['step'],
    source: { provider: 'http', url, timeoutMs },
    success: parseCondition('result >= 200 && result < 300'),
    failure: undefined,
    intervalMs: 1000,
    limits: { count: 1, failureLimit: 0, inconclusiveLimit: 0, consecutiveErrorLimit: 0 },
  };
}

/** The checks a switch runs: the analysis' and the probe's (none for a rollback or cleanup). */
export function switchChecks(opts: EksSwitchOptions): CheckPlan[] {
  if (opts.action !== 'switch') return [];
  return [...(opts.analysis ?? []), ...(opts.probeUrl ? [probeCheck(opts.probeUrl, opts.probeTimeoutMs ?? 10_000)] : [])];
}

/** The run's analysis, or undefined when it has no check (a switch without analysis, as before). */
export function switchAnalysis(opts: EksSwitchOptions, deps: EksSwitchDeps): Analysis | undefined {
  const plans = switchChecks(opts);
  if (plans.length === 0) return undefined;
  return createAnalysis(plans, { cloudwatch: deps.cloudwatch, log: deps.log, evaluations: deps.evaluations });
}

export function checkArgs(opts: EksSwitchOptions, target: Color): CheckArgs {
  return { color: target, service: opts.service, namespace: opts.namespace };
}

/**
 * Before any traffic moves: every source answers for what its check names, and the run's
 * deadline leaves room for the windows (else the deadline would cut a post window short and a
 * switch nobody watched would stand).
 */
export async function verifyAnalysis(
  analysis: Analysis,
  args: CheckArgs,
  deps: EksSwitchDeps,
  plan: { steps: number; stepPauseMs: number; unchanged: string },
): Promise<void> {
  await deps.log.group(`Checking the analysis sources (${analysis.checks.map((c) => c.name).join(', ')})`, async () => {
    await analysis.verify(args, deps.signal);
    deps.log.info('every source answered and knows what its check names');
  });
  if (deps.deadlineAt === undefined) return;
  const problem = windowsProblem(
    eksWindowsMs((m) => analysis.windowMs(m), plan),
    deps.deadlineAt - (deps.now ?? Date.now)(),
  );
  if (problem) throw windowsError(problem, plan.unchanged);
}

/**
 * Everything the analysis does before traffic moves: the sources verified, then the pre checks
 * against the target. Returns the run's analysis (undefined without checks); throws, with
 * `unchanged`, when the target must not get traffic.
 */
export async function analysisBeforeSwitch(
  opts: EksSwitchOptions,
  deps: EksSwitchDeps,
  target: Color,
  plan: { steps: number; stepPauseMs: number; unchanged: string },
): Promise<Analysis | undefined> {
  const analysis = switchAnalysis(opts, deps);
  if (!analysis) return undefined;
  const args = checkArgs(opts, target);
  await verifyAnalysis(analysis, args, deps, plan);
  if (!analysis.has('pre')) return analysis;
  const pre = await deps.log.group(`Analysis of ${target} before the switch`, () => analysis.run('pre', args, { signal: deps.signal }));
  if (pre.state !== 'passed') {
    throw new ExpeditorError(`the analysis of ${target} before the switch did not pass: ${describeOutcome(pre)}`, {
      unchanged: plan.unchanged,
      next: `look at ${target} (the evaluations in the step summary, its pods and logs), redeploy, and run the switch again`,
    });
  }
  return analysis;
}
