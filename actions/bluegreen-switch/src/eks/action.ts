// The EKS switch as one call for main.ts: plan (no network), connection, switch, step summary.
import type { GitHubContext } from '@expeditor/shared/context';
import type { Log } from '@expeditor/shared/log';
import type { EksSwitchInputs } from './inputs.ts';
import { planEksSwitch, type EksConnectPlan, type EksPlanCommon } from './plan.ts';
import { eksSwitchSummary } from './summary.ts';
import type { EksSwitchResult } from './types.ts';

export async function runEksSwitch(
  common: EksPlanCommon & { timeoutMs: number },
  inputs: EksSwitchInputs,
  github: GitHubContext,
  run: { log: Log; signal: AbortSignal; startedAt: number },
): Promise<EksSwitchResult> {
  const started = Date.now();
  const plan = planEksSwitch(common, inputs, { workspace: github.workspace, sha: github.sha, runUrl: github.runUrl });
  const clusterText = describeConnect(plan.connect);
  let eksClient: { destroy(): void } | undefined;
  try {
    // client-node and the AWS SDK load only now that the inputs are known to be good.
    const [{ connectKube }, { createKube }, { eksSwitch }] = await Promise.all([
      import('@expeditor/kube/connect'),
      import('./kube.ts'),
      import('./switch.ts'),
    ]);
    const connection = await run.log.group(`Connecting to ${clusterText}`, async () =>
      connectKube({
        ...(plan.connect.kind === 'kubeconfig'
          ? { kubeconfig: { path: plan.connect.path, also: plan.connect.also, input: plan.connect.input } }
          : { eks: await eksTarget(plan.connect, (client) => (eksClient = client)) }),
        // Not the run's signal: a cancelled canary must still put the traffic back with the
        // same connection. Every wait and pause takes the signal itself; a single request
        // has its own timeout.
        log: run.log,
      }),
    );
    const result = await eksSwitch(plan.options, {
      kube: createKube(connection),
      log: run.log,
      signal: run.signal,
      deadlineAt: run.startedAt + common.timeoutMs,
    });
    eksSwitchSummary(plan, { result }, Date.now() - started, clusterText).write(github.stepSummaryPath);
    return result;
  } catch (error) {
    eksSwitchSummary(plan, { error }, Date.now() - started, clusterText).write(github.stepSummaryPath);
    throw error;
  } finally {
    eksClient?.destroy();
  }
}

function describeConnect(connect: EksConnectPlan): string {
  return connect.kind === 'eks' ? `EKS cluster ${connect.cluster}${connect.region ? ` (${connect.region})` : ''}` : `kubeconfig ${connect.path}`;
}

/** The EKS client and the SDK's default credentials (what assume-env exported), made here at the edge. */
async function eksTarget(connect: Extract<EksConnectPlan, { kind: 'eks' }>, made: (client: { destroy(): void }) => void) {
  const { EKSClient } = await import('@aws-sdk/client-eks');
  const { ExpeditorError } = await import('@expeditor/shared/errors');
  // Retries are connectKube's, by error kind; the SDK's own are off.
  const eks = new EKSClient({ ...(connect.region ? { region: connect.region } : {}), maxAttempts: 1 });
  made(eks);
  const region = await eks.config.region().catch(() => '');
  if (!region) {
    throw new ExpeditorError('no AWS region is set for the EKS cluster', {
      key: 'environments.<name>.aws.region',
      unchanged: 'nothing was changed',
      next: 'run assume-env first (it exports AWS_REGION), set AWS_REGION, or give an environment whose aws.region is set',
    });
  }
  return { cluster: connect.cluster, region, eks, credentials: eks.config.credentials, stsEndpoint: connect.stsEndpoint };
}
