// The ECS switch's use of the analysis package. The checks look at green, the replacement task
// set: `pre` while the deployment is held at Ready (green runs and takes the test listener's
// traffic, production stays on blue), `post` once green takes all production traffic — during the
// group's termination wait, while blue still runs, so a rollback is CodeDeploy rerouting traffic
// back to it. Any end of a moment but passed is a sentence the switch turns into a rollback.
import { type Analysis, createAnalysis, describeOutcome } from '@expeditor/analysis/analysis';
import type { Moment } from '@expeditor/analysis/plan';
import type { CheckArgs } from '@expeditor/analysis/template';
import type { CodeDeployView } from '@expeditor/codedeploy/follow';
import { parseEcsTargetId } from '@expeditor/codedeploy/target';
import { formatDuration } from '@expeditor/shared/deadline';
import type { DeploymentInfo } from '@aws-sdk/client-codedeploy';
import { describeError } from '@expeditor/shared/errors';
import { windowsError, windowsProblem } from '../analysis-deadline.ts';
import type { EcsSwitchOptions, SwitchContext } from './switch-types.ts';

/** The run's analysis, or undefined when it has no check (a switch without analysis, as before). */
export function ecsAnalysis(options: EcsSwitchOptions, context: SwitchContext): Analysis | undefined {
  if (options.action !== 'switch' || !options.analysis?.length) return undefined;
  return createAnalysis(options.analysis, { cloudwatch: context.cloudwatch, log: context.log, evaluations: context.evaluations });
}

/** {{color}} is green (the task set being checked), {{service}} the ECS service, {{namespace}} its cluster. */
export function ecsCheckArgs(view: CodeDeployView): CheckArgs {
  const target = parseEcsTargetId(view.target?.targetId);
  return { color: 'green', service: target?.service ?? '', namespace: target?.cluster ?? '' };
}

/** Why the run's deadline leaves too little room for the windows, or undefined. */
export function deadlineProblem(analysis: Pick<Analysis, 'windowMs'>, leftMs: number | undefined): string | undefined {
  if (leftMs === undefined) return undefined;
  return windowsProblem(analysis.windowMs('pre') + analysis.windowMs('step') + analysis.windowMs('post'), leftMs);
}

/**
 * Why a failing post check late in the window would find blue gone, or undefined: the group's
 * termination wait (as the deployment reports it) is shorter than the post window. Without a
 * termination wait the switch says so when the deployment Succeeds.
 */
export function terminationWaitWarning(deployment: DeploymentInfo | undefined, postWindowMs: number): string | undefined {
  const minutes = deployment?.blueGreenDeploymentConfiguration?.terminateBlueInstancesOnDeploymentSuccess?.terminationWaitTimeInMinutes;
  if (!minutes || minutes * 60_000 >= postWindowMs) return undefined;
  return `the group's termination wait (${formatDuration(minutes * 60_000)}) is shorter than the post window (${formatDuration(postWindowMs)}): a post check that fails after it ends finds blue terminated, and the rollback is a new deployment of blue's task definition instead of a reroute`;
}

/**
 * Before any traffic moves: every source answers for what its check names (alarms exist, queries
 * parse), and the run's deadline leaves room for the windows. Throws with `unchanged`.
 */
export async function verifyEcsAnalysis(analysis: Analysis, args: CheckArgs, context: SwitchContext, unchanged: string): Promise<void> {
  const signal = context.signal ?? new AbortController().signal;
  await context.log.group(`Checking the analysis sources (${analysis.checks.map((c) => c.name).join(', ')})`, async () => {
    await analysis.verify(args, signal);
    context.log.info('every source answered and knows what its check names');
  });
  const left = context.deadlineAt === undefined ? undefined : context.deadlineAt - (context.now ?? Date.now)();
  const problem = deadlineProblem(analysis, left);
  if (problem) throw windowsError(problem, unchanged);
}

/**
 * Runs `moment`'s checks against green. Returns undefined when they passed, else why not in a
 * sentence. A `post` that was stopped (cancel, deadline) is a reason too: a switch nobody could
 * watch is not one that passed. A stopped `pre` is thrown: nothing moved, nothing to undo.
 */
export async function analysisVerdict(
  analysis: Analysis,
  moment: Extract<Moment, 'pre' | 'post'>,
  args: CheckArgs,
  context: SwitchContext,
  green: string,
): Promise<string | undefined> {
  const when = moment === 'pre' ? 'before the switch' : 'after the switch';
  const signal = context.signal ?? new AbortController().signal;
  try {
    const outcome = await context.log.group(`Analysis of green (${green}) ${when}`, () => analysis.run(moment, args, { signal }));
    return outcome.state === 'passed' ? undefined : `the analysis of green (${green}) ${when} did not pass: ${describeOutcome(outcome)}`;
  } catch (error) {
    if (moment === 'pre') throw error;
    return `the analysis of green (${green}) ${when} was stopped: ${describeError(error)}`;
  }
}
