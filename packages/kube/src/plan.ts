import { ExpeditorError, type Origin } from '@expeditor/shared/errors';
import type { Log } from '@expeditor/shared/log';
import type { Settings } from '@expeditor/shared/settings';
import { type FileRule, MiB, resolveUserPath } from '@expeditor/shared/workspace-file';
import type { KubeConnection } from './connect.ts';
import type { KubeRunnerContext } from './runner.ts';

export type KubeConnectPlan =
  | {
      kind: 'eks';
      cluster: string;
      region: string | undefined;
      stsEndpoint: string | undefined;
      origin: Origin;
      /** The action's region input, named when no region can be found (bluegreen-switch has none). */
      regionInput?: string | undefined;
    }
  | {
      kind: 'kubeconfig';
      path: string;
      also: string[];
      origin: Origin;
      /** A kubeconfig the repository names is read by the workspace file rule (else it is the runner's own). */
      rule?: FileRule | undefined;
      /** Whether its exec credential plugin may run (default yes): a program named by repository content runs only when allowed. */
      allowExec?: boolean | undefined;
    };

export interface ConnectionChoice {
  workspace: string;
  /** The kubeconfig input (a workspace path or an absolute one). */
  kubeconfigInput: string | undefined;
  /** The allow-kubeconfig-exec input: let the kubeconfig input's exec credential plugin run. */
  allowKubeconfigExec?: boolean | undefined;
  /** The EKS cluster, from the input or the environment file, with where it came from. */
  cluster: { name: string; origin: Origin } | undefined;
  /** The region from the input or the environment file, with where it came from. */
  region: { value: string; from: string; source: 'input' | 'file' } | undefined;
  /** The action's region input, if it has one. */
  regionInput?: string | undefined;
  runner: KubeRunnerContext;
  /** Where the choice is recorded, for the step summary. */
  settings: Settings;
}

export function planKubeConnection(choice: ConnectionChoice): KubeConnectPlan {
  const { settings, runner } = choice;
  if (choice.kubeconfigInput) {
    const rule: FileRule = {
      workspace: choice.workspace,
      alsoUnder: runner.runnerTemp ? [runner.runnerTemp] : [],
      origin: { input: 'kubeconfig' },
      maxBytes: MiB,
    };
    // Refused here, before any module loads or request goes out, when it leads out of the workspace.
    const path = resolveUserPath(choice.kubeconfigInput, rule).path;
    settings.derive('connection', choice.kubeconfigInput, "input 'kubeconfig'");
    return { kind: 'kubeconfig', path, also: [], origin: { input: 'kubeconfig' }, rule, allowExec: choice.allowKubeconfigExec === true };
  }
  if (choice.cluster) {
    const region = choice.region?.value ?? runner.awsRegion;
    if (region) {
      settings.provenance.push({
        name: 'region',
        value: region,
        source: choice.region ? choice.region.source : 'derived',
        from: choice.region ? choice.region.from : 'AWS_REGION',
      });
    }
    return {
      kind: 'eks',
      cluster: choice.cluster.name,
      region,
      stsEndpoint: runner.stsEndpoint,
      origin: choice.cluster.origin,
      ...(choice.regionInput ? { regionInput: choice.regionInput } : {}),
    };
  }
  if (runner.kubeconfig) {
    const { path, also } = runner.kubeconfig;
    settings.derive('connection', [path, ...also].join(':'), 'KUBECONFIG');
    // KUBECONFIG is the runner's own (set by an earlier step such as aws eks update-kubeconfig): as kubectl would.
    return { kind: 'kubeconfig', path, also, origin: {}, allowExec: true };
  }
  throw new ExpeditorError('no cluster to connect to', {
    input: 'cluster',
    unchanged: 'nothing was changed',
    next: "give the 'cluster' input (EKS), an environment whose eks.cluster is set, or a kubeconfig (input or KUBECONFIG)",
  });
}

export function describeConnection(plan: KubeConnectPlan): string {
  return plan.kind === 'eks'
    ? `EKS cluster ${plan.cluster}${plan.region ? ` (${plan.region})` : ''}`
    : `kubeconfig ${[plan.path, ...plan.also].join(':')}`;
}

export interface OpenOptions {
  log: Log;
  /** Cancels connecting; leave it out when the connection must outlive a cancelled run (to put traffic back). */
  signal?: AbortSignal | undefined;
}

/**
 * Connects as planned. client-node and the AWS SDK load only here, once the inputs are known to
 * be good. `close()` releases the EKS client (the connection itself holds no socket open).
 */
export async function openKubeConnection(
  plan: KubeConnectPlan,
  options: OpenOptions,
): Promise<{ connection: KubeConnection; close(): void }> {
  const { connectKube } = await import('./connect.ts');
  if (plan.kind === 'kubeconfig') {
    const connection = await connectKube({
      kubeconfig: { path: plan.path, also: plan.also, input: plan.origin.input, rule: plan.rule, allowExec: plan.allowExec },
      signal: options.signal,
      log: options.log,
    });
    return { connection, close: () => undefined };
  }
  const [{ EKSClient }, { clientConfig, requireRegion }] = await Promise.all([
    import('@aws-sdk/client-eks'),
    import('@expeditor/aws/clients'),
  ]);
  // Retries are connectKube's, by error kind; the SDK's own are off (clientConfig).
  const eks = new EKSClient(clientConfig(plan.region));
  try {
    const region = await requireRegion(eks, `no AWS region for EKS cluster ${plan.cluster}`, plan.regionInput);
    const connection = await connectKube({
      eks: {
        cluster: plan.cluster,
        region,
        eks,
        credentials: eks.config.credentials,
        stsEndpoint: plan.stsEndpoint,
        input: plan.origin.input,
      },
      signal: options.signal,
      log: options.log,
    });
    return { connection, close: () => eks.destroy() };
  } catch (error) {
    eks.destroy();
    throw error;
  }
}
