// `step` checks on ECS. CodeDeploy moves a canary or linear config's traffic on its own clock and
// cannot be held between steps, so a step's checks run while that step stands: from the moment the
// switch sees green take a new share of production traffic. One that does not pass ends the
// follow; the switch then stops the deployment with rollback, which puts all traffic back on blue.
// A step that comes while the checks of an earlier one still run is checked next, at its share
// (intermediate shares are skipped, said in the log): the checks always look at the newest step.
import type { DeploymentConfigInfo } from '@aws-sdk/client-codedeploy';
import { type Analysis, describeOutcome } from '@expeditor/analysis/analysis';
import type { CheckArgs } from '@expeditor/analysis/template';
import type { CallContext } from '@expeditor/aws/call';
import type { EcsClients } from '@expeditor/codedeploy/clients';
import { type CodeDeployView, greenWeight } from '@expeditor/codedeploy/follow';
import { checkDeploymentConfig } from '@expeditor/codedeploy/group';
import { formatDuration } from '@expeditor/shared/deadline';
import { type ExpeditorError, describeError } from '@expeditor/shared/errors';
import type { SwitchContext } from './switch-types.ts';

export interface StepChecks {
  /** Give to the follow: it starts the checks when green's share changes. */
  onView(view: CodeDeployView): void;
  /** The run's signal and the checks' failure: the follow ends on either. */
  signal: AbortSignal;
  /** Aborted when a step's checks did not pass (the caller rolls back; nothing else stops the deployment). */
  failed: AbortSignal;
  /** Why a step did not pass, once one did not. */
  readonly failure: string | undefined;
  /** The shares checked, in order. */
  readonly checked: readonly number[];
  /** Waits for checks still running (the last step may end before its window does); then `failure`. */
  settle(): Promise<string | undefined>;
}

/** The share of production traffic green takes at a step: strictly between 0 and 100, else undefined. */
export function stepShare(view: CodeDeployView): number | undefined {
  if (view.deployment?.creator === 'codeDeployRollback') return undefined;
  const weight = greenWeight(view.target);
  return weight !== undefined && weight > 0 && weight < 100 ? weight : undefined;
}

export function watchSteps(analysis: Analysis, args: CheckArgs, context: SwitchContext, green: string): StepChecks {
  const failedController = new AbortController();
  const signal = context.signal ? AbortSignal.any([context.signal, failedController.signal]) : failedController.signal;
  const checked: number[] = [];
  let newest: number | undefined;
  let failure: string | undefined;
  let running: Promise<void> | undefined;

  const fail = (why: string): void => {
    failure = why;
    failedController.abort(new Error(why));
  };
  const checkOnce = async (share: number): Promise<void> => {
    const previous = checked.at(-1);
    checked.push(share);
    const skipped = previous !== undefined ? `; the steps between ${previous}% and ${share}% came while the checks ran` : '';
    context.log.info(`green (${green}) takes ${share}% of production traffic: checking it${skipped}`);
    try {
      const outcome = await analysis.run('step', args, { signal, label: `${share}% of production traffic` });
      if (outcome.state !== 'passed') {
        fail(`the analysis of green (${green}) at ${share}% of production traffic did not pass: ${describeOutcome(outcome)}`);
      }
    } catch (error) {
      // A cancel or the deadline ends the follow, which stops the deployment itself.
      if (context.signal?.aborted) return;
      fail(`the analysis of green (${green}) at ${share}% of production traffic was stopped: ${describeError(error)}`);
    }
  };
  const pending = (): boolean => failure === undefined && !signal.aborted && newest !== undefined && newest !== checked.at(-1);
  const kick = (): void => {
    if (running || !pending()) return;
    running = (async () => {
      while (pending()) await checkOnce(newest as number);
    })().finally(() => {
      running = undefined;
      kick();
    });
  };

  return {
    onView(view) {
      const share = stepShare(view);
      if (share === undefined || share === newest) return;
      newest = share;
      kick();
    },
    signal,
    failed: failedController.signal,
    get failure() {
      return failure;
    },
    checked,
    async settle() {
      while (running) await running;
      return failure;
    },
  };
}

/**
 * Whether the deployment's config has steps for `step` checks to watch: an error at the first
 * check that asks for step when it moves all traffic at once (nothing would ever run them), and a
 * warning when a step's checks take longer than CodeDeploy stands at the step (they then judge
 * the share it had moved to by the time they end).
 */
export function stepProblems(
  analysis: Pick<Analysis, 'checks' | 'windowMs'>,
  configName: string,
  config: DeploymentConfigInfo,
  unchanged: string,
): { error?: ExpeditorError; warning?: string } {
  const stepped = analysis.checks.filter((c) => c.at.includes('step'));
  if (stepped.length === 0) return {};
  const routing = config.trafficRoutingConfig;
  const minutes =
    routing?.type === 'TimeBasedCanary'
      ? routing.timeBasedCanary?.canaryInterval
      : routing?.type === 'TimeBasedLinear'
        ? routing.timeBasedLinear?.linearInterval
        : undefined;
  if (minutes === undefined) {
    const first = stepped[0] as (typeof stepped)[number];
    return {
      error: first.origin.error(
        'at',
        `check ${first.name} asks for step, but deployment config ${configName} moves all traffic at once: there is no step to check`,
        {
          unchanged,
          next: 'give the deployment a canary or linear config (deploy-ecs deployment-config, e.g. CodeDeployDefault.ECSCanary10Percent5Minutes), or use at: [pre, post]',
        },
      ),
    };
  }
  const window = analysis.windowMs('step');
  if (window <= minutes * 60_000) return {};
  return {
    warning: `the step checks take at least ${formatDuration(window)}, longer than deployment config ${configName} stands at a step (${formatDuration(minutes * 60_000)}): CodeDeploy moves on before they end, so they judge the share it reached by then`,
  };
}

/** Before the reroute: the deployment's config has steps for the step checks (else refused, `unchanged` said). */
export async function verifySteps(
  analysis: Pick<Analysis, 'checks' | 'windowMs'>,
  view: CodeDeployView,
  clients: EcsClients,
  context: SwitchContext,
  call: CallContext,
  unchanged: string,
): Promise<void> {
  const name = view.deployment?.deploymentConfigName ?? 'CodeDeployDefault.ECSAllAtOnce';
  const config = await checkDeploymentConfig(clients.codedeploy, name, { input: 'deployment-id' }, { ...call, unchanged });
  const { error, warning } = stepProblems(analysis, name, config, unchanged);
  if (error) throw error;
  if (warning) context.log.warning(warning);
}
