// The EKS switch as one call for main.ts: plan (no network), connection, switch, step summary.
import type { GitHubContext } from '@expeditor/shared/context';
import type { Log } from '@expeditor/shared/log';
import type { EksSwitchInputs } from './inputs.ts';
import { planEksSwitch, type EksPlanCommon } from './plan.ts';
import { describeConnection, openKubeConnection } from '@expeditor/kube/plan';
import type { KubeConnection } from '@expeditor/kube/connect';
import { eksSwitchSummary } from './summary.ts';
import type { EksSwitchResult } from './types.ts';
import type { Evaluation } from '@expeditor/analysis/run';

export async function runEksSwitch(
  common: EksPlanCommon & { timeoutMs: number },
  inputs: EksSwitchInputs,
  github: GitHubContext,
  run: { log: Log; signal: AbortSignal; startedAt: number },
): Promise<EksSwitchResult> {
  const started = Date.now();
  const plan = planEksSwitch(common, inputs, { workspace: github.workspace, sha: github.sha, runUrl: github.runUrl });
  const clusterText = describeConnection(plan.connect);
  let opened: { connection: KubeConnection; close(): void } | undefined;
  const evaluations: Evaluation[] = [];
  try {
    const [{ createKube }, { eksSwitch }, cloudwatch] = await Promise.all([
      import('./kube.ts'),
      import('./switch.ts'),
      plan.options.analysis?.some((c) => c.source.provider.startsWith('cloudwatch')) ? cloudWatchFactory(plan.awsRegion) : undefined,
    ]);
    // Not the run's signal: a cancelled canary must still put the traffic back with the same
    // connection. Every wait and pause takes the signal itself; a single request has its own timeout.
    opened = await run.log.group(`Connecting to ${clusterText}`, () => openKubeConnection(plan.connect, { log: run.log }));
    const connection = opened.connection;
    const result = await eksSwitch(plan.options, {
      kube: createKube(connection),
      log: run.log,
      signal: run.signal,
      deadlineAt: run.startedAt + common.timeoutMs,
      cloudwatch,
      evaluations,
    });
    eksSwitchSummary(plan, { result }, Date.now() - started, clusterText, evaluations).write(github.stepSummaryPath);
    return result;
  } catch (error) {
    eksSwitchSummary(plan, { error }, Date.now() - started, clusterText, evaluations).write(github.stepSummaryPath);
    throw error;
  } finally {
    opened?.close();
  }
}

/** The CloudWatch client the checks share, made on first use (the SDK module loads only when a check reads CloudWatch). */
async function cloudWatchFactory(region: string | undefined): Promise<() => import('@aws-sdk/client-cloudwatch').CloudWatchClient> {
  const [{ CloudWatchClient }, { clientConfig }] = await Promise.all([
    import('@aws-sdk/client-cloudwatch'),
    import('@expeditor/aws/clients'),
  ]);
  return () => new CloudWatchClient(clientConfig({ region }));
}
