import { planKubeConnection, type KubeConnectPlan } from '@expeditor/kube/plan';
import { environmentOf, loadConfig, type AnalysisConfig, type EksConfig } from '@expeditor/shared/config';
import { ExpeditorError, InputError, ProblemsError } from '@expeditor/shared/errors';
import { Settings } from '@expeditor/shared/settings';
import type { EksSwitchInputs } from './inputs.ts';
import { rolloutInputProblems } from './argo-plan.ts';
import { isColor } from '@expeditor/bluegreen/names';
import { defaultNames, entryName, resolveServiceNames } from '@expeditor/bluegreen/service-names';
import type { EksSwitchOptions, Route, SwitchAction } from './types.ts';
import { planSwitchAnalysis } from './analysis-plan.ts';

export interface EksPlanCommon {
  action: SwitchAction;
  environment: string | undefined;
  config: string;
}

export type EksConnectPlan = KubeConnectPlan;

export interface EksSwitchPlan {
  options: EksSwitchOptions;
  environment: string | undefined;
  connect: EksConnectPlan;
  settings: Settings;
  /** The environment's AWS region, for the CloudWatch checks (else the SDK's own chain, AWS_REGION). */
  awsRegion: string | undefined;
}

export function planEksSwitch(
  common: EksPlanCommon,
  inputs: EksSwitchInputs,
  context: { workspace: string; sha: string; runUrl: string },
): EksSwitchPlan {
  const envName = common.environment;
  let eks: EksConfig | undefined;
  let region: string | undefined;
  let analysisFile: AnalysisConfig | undefined;
  if (envName) {
    const env = environmentOf(loadConfig(context.workspace, common.config), envName, common.config);
    eks = env.eks;
    region = env.aws.region;
    analysisFile = env.analysis;
  }
  const settings = new Settings();
  const key = (k: string): string => `environments.${envName}.eks.${k}`;
  const file = <T extends string | number | boolean>(k: string, value: T | undefined) => (eks ? { key: key(k), value } : undefined);

  const route = settings.pick('route', { name: 'route', value: inputs.route }, file('route', eks?.route), 'service') as Route;
  const namespace = settings.pick(
    'namespace',
    { name: 'namespace', value: inputs.namespace },
    file('namespace', eks?.namespace),
    'default',
  ) as string;
  const colorLabel = settings.pick(
    'color label',
    { name: 'color-label', value: inputs.colorLabel },
    file('color-label', eks?.['color-label']),
    'version',
  ) as string;
  const problems: ExpeditorError[] = [];
  // An Argo Rollout (input, or the environment's eks.rollout): it names its own Services (argo-plan.ts).
  const rollout = settings.pick('rollout', { name: 'rollout', value: inputs.rollout }, file('rollout', eks?.rollout));

  // One service per switch: the file's `services` gives it only when it lists exactly one.
  const fileServices = (eks?.services ?? []).map(entryName);
  let service = settings.pick(
    'service',
    { name: 'service', value: inputs.service },
    fileServices.length === 1 && !rollout ? file('services', fileServices[0]) : undefined,
  );
  if (!service) {
    if (!rollout)
      problems.push(
        new InputError(
          'service',
          fileServices.length > 1
            ? `is required: ${key('services')} lists ${fileServices.length} services (${fileServices.join(', ')}) and one switch moves one`
            : 'is required (the stable Service, e.g. shop)',
        ),
      );
    service = '';
  }
  // Its stable and preview Service by the rule deploy-eks follows too (packages/bluegreen).
  const named = resolveServiceNames(service ? [service] : [], {
    file: eks?.services ? { entries: eks.services, key: key('services') } : undefined,
    inputs: service ? { stable: inputs.stableService, preview: inputs.previewService } : {},
  });
  if (!rollout) problems.push(...named.problems);
  const nameFrom = (input: string, value: string | undefined): string =>
    value ? `input '${input}'` : `${key('services')}.${eks?.services?.findIndex((e) => entryName(e) === service)}.${input}`;
  const names = named.names.get(service) ?? defaultNames(service);
  if (service && names.stable !== service)
    settings.derive('stable Service', names.stable, nameFrom('stable-service', inputs.stableService));
  if (service && names.preview !== defaultNames(service).preview)
    settings.derive('preview Service', names.preview, nameFrom('preview-service', inputs.previewService));
  const ingress = settings.pick('ingress', { name: 'ingress', value: inputs.ingress }, file('ingress', eks?.ingress));
  if (route === 'ingress' && !ingress) problems.push(new InputError('ingress', 'is required with route ingress'));
  const canaryFromFile = eks?.canary;
  const canary = inputs.canary ?? canaryFromFile;
  if (canary) settings.derive('canary', canary.join(', '), inputs.canary ? "input 'canary'" : key('canary'));
  if (inputs.canary && route !== 'ingress') {
    problems.push(new InputError('canary', "needs route ingress (weights go through the Ingress's load balancer)"));
  }
  if (inputs.probeUrl && !canary) problems.push(new InputError('probe-url', 'is only used between canary steps: give canary weights too'));
  if (inputs.targetColor && !isColor(inputs.targetColor)) problems.push(new InputError('target-color', 'expected blue or green'));
  if (common.action === 'rollback' && inputs.targetColor) {
    problems.push(
      new InputError(
        'target-color',
        'is not used by rollback, which returns to the recorded previous color',
        "leave it empty, or use action 'switch'",
      ),
    );
  }
  if (inputs.keepMs > 0 && common.action !== 'cleanup') problems.push(new InputError('keep', "is only used by action 'cleanup'"));
  if (inputs.removePreview && common.action !== 'cleanup')
    problems.push(new InputError('remove-preview', "is only used by action 'cleanup'"));
  if (inputs.ingressPath && route !== 'ingress') problems.push(new InputError('ingress-path', 'needs route ingress'));
  if (inputs.stableService && route === 'ingress' && !rollout) {
    problems.push(
      new InputError(
        'stable-service',
        "is not used with route ingress: the switch moves the Ingress's backends between the color Services (<service>-blue, <service>-green), not a Service's selector",
        "leave 'stable-service' out, or use route service",
      ),
    );
  }
  problems.push(...rolloutInputProblems(common.action, { ...inputs, rollout }));
  if (rollout && analysisFile?.checks.length && !inputs.analysis) {
    problems.push(
      new InputError(
        'rollout',
        `is an Argo Rollout, and environments.${envName}.analysis has checks: the Rollout's own pre- and post-promotion analysis runs instead (its AnalysisRuns are followed)`,
        `move the checks into the Rollout's AnalysisTemplates, or leave out ${inputs.rollout ? "the 'rollout' input" : key('rollout')}`,
      ),
    );
  }
  const analysis = planSwitchAnalysis({
    input: inputs.analysis,
    file: analysisFile,
    environment: envName,
    action: common.action,
    settings,
    problems,
  });

  // The cluster: an explicit kubeconfig input wins, then the cluster (input or file), then KUBECONFIG.
  let connect: EksConnectPlan | undefined;
  const cluster = settings.pick('cluster', { name: 'cluster', value: inputs.cluster }, file('cluster', eks?.cluster));
  try {
    connect = planKubeConnection({
      workspace: context.workspace,
      kubeconfigInput: inputs.kubeconfig,
      allowKubeconfigExec: inputs.allowKubeconfigExec,
      cluster: cluster ? { name: cluster, origin: inputs.cluster ? { input: 'cluster' } : { key: key('cluster') } } : undefined,
      region: region ? { value: region, from: `environments.${envName}.aws.region`, source: 'file' } : undefined,
      runner: inputs.runner,
      settings,
    });
  } catch (error) {
    if (!(error instanceof ExpeditorError)) throw error;
    problems.push(error);
  }
  if (problems.length > 0) throw new ProblemsError(`${problems.length} problems with the inputs of bluegreen-switch`, problems);

  return {
    environment: envName,
    settings,
    connect: connect!,
    awsRegion: region,
    options: {
      action: common.action,
      route,
      namespace,
      service,
      stableService: names.stable,
      previewService: names.preview,
      rollout,
      ingress,
      ingressPath: inputs.ingressPath,
      targetColor: inputs.targetColor,
      colorLabel,
      canary: common.action === 'switch' ? canary : undefined,
      stepPauseMs: inputs.stepPauseMs,
      probeUrl: inputs.probeUrl,
      probeTimeoutMs: inputs.probeTimeoutMs,
      analysis,
      keepMs: inputs.keepMs,
      removePreview: inputs.removePreview,
      commit: context.sha,
      runUrl: context.runUrl,
    },
  };
}
