import type { V1Deployment } from '@kubernetes/client-node';
import { environmentOf, loadConfig, type EksConfig } from '@expeditor/shared/config';
import { ExpeditorError } from '@expeditor/shared/errors';
import { digestReference, repositoryOf } from '@expeditor/shared/patterns';
import { Settings } from '@expeditor/shared/settings';
import type { KubeRunnerContext } from '@expeditor/kube/runner';
import { planKubeConnection, type KubeConnectPlan } from '@expeditor/kube/plan';
import type { DeployEksInputs, Route } from './inputs.ts';
import { deploymentFor, readManifests, type ManifestDocument } from './manifest.ts';
import { classifyDocuments, expandLists, type ClassifiedDocument } from './documents.ts';
import type { ManifestRollout } from './rollout-manifest.ts';
import { checkNamedRollout, refuseRollingRollouts, refuseRolloutRefs, rolloutDispositions, rolloutsOf } from './rollout-plan.ts';
import type { Origin } from '@expeditor/shared/errors';
import { ProblemsError } from '@expeditor/shared/errors';
import { defaultNames, entryName, resolveServiceNames, type ServiceNames } from '@expeditor/bluegreen/service-names';

export interface EnvironmentRefs {
  configMaps: string[];
  secrets: string[];
  serviceAccount: string | undefined;
  irsaRole: string | undefined;
  /** `environments.<name>.eks` for errors, or undefined without an environment file. */
  key: string | undefined;
}

export interface DeployEksPlan {
  /** The image every service gets unless `images` names its own ('' when it names all). */
  image: string;
  /** The image's repository (no tag or digest), to find the container to update. */
  repository: string;
  /** Each service's image: its own from the `images` input, else `image`. */
  images: Record<string, string>;
  byDigest: boolean;
  environment: string | undefined;
  services: string[];
  /** Per service, its stable and preview Service (`<service>`, `<service>-preview` unless configured). */
  names: Map<string, ServiceNames>;
  namespace: string;
  namespaceOrigin: Origin;
  colorLabel: string;
  route: Route;
  /** blue-green (the idle color, then bluegreen-switch) or rolling (the Deployment updated in place). */
  strategy: 'blue-green' | 'rolling';
  /** The Ingress of the ingress route, when named (else every Ingress of the namespace is looked at). */
  ingress: string | undefined;
  ingressOrigin: Origin;
  connect: KubeConnectPlan;
  /** Per service, the manifest's Deployment; undefined = copy the live color's. */
  manifests: Map<string, { deployment: V1Deployment; where: string }> | undefined;
  /** Per service, the manifest's Argo Rollout, when the workloads are Rollouts (rollout-deploy.ts). */
  rollouts?: Map<string, ManifestRollout> | undefined;
  /** Every document of the manifest with what happens to it (documents.ts); empty without a manifest. */
  documents: ClassifiedDocument[];
  manifestOrigin: Origin;
  container: string | undefined;
  refs: EnvironmentRefs;
  timeoutMs: number;
  settings: Settings;
  /** Things worth a warning that do not stop the run (an image by tag). */
  warnings: { message: string; input?: string }[];
  source: { sha: string; runUrl: string };
}

/** A service's stable and preview Service names (the convention's for a service the plan does not list). */
export const namesOf = (plan: Pick<DeployEksPlan, 'names'>, service: string): ServiceNames =>
  plan.names.get(service) ?? defaultNames(service);

export interface PlanContext {
  workspace: string;
  sha: string;
  runUrl: string;
  runner: KubeRunnerContext;
}

export function planDeployEks(inputs: DeployEksInputs, context: PlanContext): DeployEksPlan {
  const envName = inputs.environment;
  let eks: EksConfig | undefined;
  let region: string | undefined;
  if (envName) {
    const config = loadConfig(context.workspace, inputs.config);
    const env = environmentOf(config, envName, inputs.config);
    eks = env.eks;
    region = env.aws.region;
    if (!eks && !inputs.cluster && !inputs.kubeconfig) {
      throw new ExpeditorError(`environment ${envName} in ${inputs.config} has no eks section`, {
        key: `environments.${envName}.eks`,
        input: env.ecs ? 'environment' : undefined,
        unchanged: 'nothing was changed',
        next: env.ecs
          ? 'this environment runs on ECS: use deploy-ecs'
          : `add environments.${envName}.eks (cluster, namespace) or give the cluster input`,
      });
    }
  }
  const key = (k: string): string => `environments.${envName}.eks.${k}`;
  const settings = new Settings();
  const pick = <T extends string>(
    name: string,
    input: string,
    value: T | undefined,
    fileKey: string,
    fileValue: T | undefined,
    fallback?: T,
  ): T | undefined => settings.pick(name, { name: input, value }, eks ? { key: key(fileKey), value: fileValue } : undefined, fallback);
  const originOf = (input: string, value: unknown, fileKey: string): Origin =>
    value !== undefined && value !== '' ? { input } : eks ? { key: key(fileKey) } : { input };

  const services = inputs.services.length > 0 ? inputs.services : (eks?.services ?? []).map(entryName);
  if (services.length === 0) {
    throw new ExpeditorError('no service to deploy', {
      input: 'services',
      key: eks ? key('services') : undefined,
      unchanged: 'nothing was changed',
      next: `give the 'services' input or set ${eks ? key('services') : 'eks.services in the environment file'}`,
    });
  }
  const unknownImages = Object.keys(inputs.images).filter((s) => !services.includes(s));
  if (unknownImages.length > 0) {
    throw new ExpeditorError(
      `input 'images' names ${unknownImages.join(', ')}, which ${unknownImages.length === 1 ? 'is' : 'are'} not among the services deployed (${services.join(', ')})`,
      {
        input: 'images',
        unchanged: 'nothing was changed',
        next: 'name only services of this call, or add them to services',
      },
    );
  }
  const imageless = services.filter((s) => !inputs.images[s] && !inputs.image);
  if (imageless.length > 0) {
    throw new ExpeditorError(`no image for ${imageless.join(', ')}`, {
      input: 'images',
      unchanged: 'nothing was changed',
      next: `give ${imageless.map((s) => `${s}=<image>`).join(', ')} in 'images', or an 'image' for the rest`,
    });
  }
  const images = Object.fromEntries(services.map((s) => [s, inputs.images[s] ?? inputs.image]));
  const names = planServiceNames(services, inputs, eks?.services ? key('services') : undefined, eks?.services, settings);
  settings.provenance.push({
    name: 'services',
    value: services.join(', '),
    source: inputs.services.length > 0 ? 'input' : 'file',
    from: inputs.services.length > 0 ? "input 'services'" : key('services'),
  });
  const manifestOrigin: Origin = { input: 'manifest' };
  let manifests: DeployEksPlan['manifests'];
  let rollouts: DeployEksPlan['rollouts'];
  let documents: ManifestDocument[] = [];
  const workloads = new Map<ManifestDocument['object'], string>();
  if (inputs.manifest) {
    documents = expandLists(readManifests(context.workspace, inputs.manifest, manifestOrigin, context.runner.runnerTemp));
    rollouts = rolloutsOf(documents, services, inputs.manifest, manifestOrigin);
    for (const [s, r] of rollouts ?? []) workloads.set(r.source, s);
  }
  if (inputs.manifest) checkNamedRollout(rollouts, eks?.rollout, key('rollout'), inputs.manifest);
  if (inputs.manifest && !rollouts) {
    manifests = new Map(
      services.map((s) => {
        const found = deploymentFor(documents, s, services.length, inputs.manifest as string, manifestOrigin);
        workloads.set(found.source, s);
        return [s, { deployment: found.deployment, where: found.where }];
      }),
    );
  }
  // Listed after the connection in the summary, as the template is used last.
  const templateRow = inputs.manifest
    ? ({ name: 'template', value: inputs.manifest, source: 'input', from: "input 'manifest'" } as const)
    : ({ name: 'template', value: 'the live color’s Deployment', source: 'default', from: 'default' } as const);

  // The namespace: the input, else the one the manifest's Deployments name, else the file's, else default.
  const manifestNamespace = namespaceOfManifests(
    manifests ?? (rollouts && new Map([...rollouts].map(([s, r]) => [s, { deployment: r.rollout as V1Deployment, where: r.where }]))),
  );
  if (manifestNamespace && inputs.namespace && inputs.namespace !== manifestNamespace.namespace) {
    throw new ExpeditorError(
      `input 'namespace' is ${inputs.namespace}, but ${manifestNamespace.where} puts the Deployment in namespace ${manifestNamespace.namespace}`,
      {
        input: 'namespace',
        unchanged: 'nothing was changed',
        next: "leave the 'namespace' input out (the manifest's namespace is used), or change metadata.namespace in the manifest",
      },
    );
  }
  // Blue/green unless told (the schema's default): only a rolling update is worth a row in the summary.
  const strategy = inputs.strategy ?? eks?.strategy ?? 'blue-green';
  const refs: EnvironmentRefs = {
    configMaps: eks?.['config-maps'] ?? [],
    secrets: eks?.secrets ?? [],
    serviceAccount: eks?.['service-account'],
    irsaRole: eks?.['irsa-role'],
    key: eks ? `environments.${envName}.eks` : undefined,
  };
  if (rollouts) {
    refuseRollingRollouts(strategy, inputs.strategy ? { input: 'strategy' } : { key: key('strategy') });
    refuseRolloutRefs(refs);
    refuseRolloutNames(names, inputs, key('services'));
  }
  if (strategy === 'rolling') {
    settings.provenance.push({
      name: 'strategy',
      value: 'rolling (the Deployment updated in place)',
      source: inputs.strategy ? 'input' : 'file',
      from: inputs.strategy ? "input 'strategy'" : key('strategy'),
    });
  }
  let namespace: string;
  if (manifestNamespace && !inputs.namespace) {
    namespace = manifestNamespace.namespace;
    settings.provenance.push({ name: 'namespace', value: namespace, source: 'input', from: manifestNamespace.where });
  } else namespace = pick('namespace', 'namespace', inputs.namespace, 'namespace', eks?.namespace, 'default') as string;
  const colorLabel = pick('color label', 'color-label', inputs.colorLabel, 'color-label', eks?.['color-label'], 'version') as string;
  const route = pick('route', 'route', inputs.route, 'route', eks?.route, 'service') as Route;
  const ingress = route === 'ingress' ? pick('ingress', 'ingress', inputs.ingress, 'ingress', eks?.ingress) : undefined;
  const classifiedAll = classifyDocuments(documents, {
    services,
    names,
    workloads,
    repositories: new Map(Object.values(images).map((i) => [repositoryOf(i), i])),
    namespace,
    route,
    colorLabel,
    origin: manifestOrigin,
  });
  // A rolling update has no colors: what would be per color or left to the switch is applied as it is.
  const classified = rollouts
    ? rolloutDispositions(classifiedAll)
    : strategy === 'rolling'
      ? classifiedAll.map((d) =>
          d.disposition.kind === 'per-color' || d.disposition.kind === 'stable-service' || d.disposition.kind === 'ingress'
            ? { ...d, disposition: { kind: 'apply' as const, images: [] } }
            : d,
        )
      : classifiedAll;

  const cluster = settings.pick(
    'cluster',
    { name: 'cluster', value: inputs.cluster },
    eks ? { key: key('cluster'), value: eks.cluster } : undefined,
  );
  const connect = planKubeConnection({
    workspace: context.workspace,
    kubeconfigInput: inputs.kubeconfig,
    allowKubeconfigExec: inputs.allowKubeconfigExec,
    cluster: cluster ? { name: cluster, origin: inputs.cluster ? { input: 'cluster' } : { key: key('cluster') } } : undefined,
    region: inputs.region
      ? { value: inputs.region, from: "input 'region'", source: 'input' }
      : region
        ? { value: region, from: `environments.${envName}.aws.region`, source: 'file' }
        : undefined,
    regionInput: 'region',
    runner: context.runner,
    settings,
  });
  settings.provenance.push(templateRow);

  const warnings: DeployEksPlan['warnings'] = [];
  const byTag = [...new Set(Object.values(images))].filter((i) => !digestReference.test(i));
  const byDigest = byTag.length === 0;
  for (const image of byTag) {
    warnings.push({
      input: Object.values(inputs.images).includes(image) ? 'images' : 'image',
      message: `the image ${image} is given by tag, not by digest: a tag can move, so this environment may not run what passed the one before (require-digest: true refuses it)`,
    });
  }
  return {
    image: inputs.image,
    repository: repositoryOf(inputs.image),
    images,
    byDigest,
    environment: envName,
    services,
    names,
    namespace,
    namespaceOrigin: manifestNamespace && !inputs.namespace ? manifestOrigin : originOf('namespace', inputs.namespace, 'namespace'),
    colorLabel,
    route,
    strategy,
    ingress,
    ingressOrigin: originOf('ingress', inputs.ingress, 'ingress'),
    connect,
    manifests,
    rollouts,
    documents: classified,
    manifestOrigin,
    container: inputs.container,
    refs,
    timeoutMs: inputs.timeoutMs,
    settings,
    warnings,
    source: { sha: context.sha, runUrl: context.runUrl },
  };
}

/** The namespace the manifest's Deployments name, if any; Deployments that disagree are an error. */
function namespaceOfManifests(manifests: DeployEksPlan['manifests']): { namespace: string; where: string } | undefined {
  const named = [...(manifests?.values() ?? [])].flatMap((m) =>
    m.deployment.metadata?.namespace ? [{ namespace: m.deployment.metadata.namespace, where: m.where }] : [],
  );
  const first = named[0];
  const other = named.find((n) => n.namespace !== first?.namespace);
  if (first && other) {
    throw new ExpeditorError(
      `${first.where} is in namespace ${first.namespace} but ${other.where} in ${other.namespace}: one call deploys to one namespace`,
      {
        input: 'manifest',
        unchanged: 'nothing was changed',
        next: 'deploy each namespace in its own step',
      },
    );
  }
  return first;
}

/**
 * Each service's stable and preview Service, from the inputs or its eks.services entry (the one
 * rule of packages/bluegreen, which bluegreen-switch reads too); a name that collides with another
 * object of the contract stops the run here, before any request. Names that are not the
 * convention's get a row in the summary.
 */
function planServiceNames(
  services: readonly string[],
  inputs: DeployEksInputs,
  fileKey: string | undefined,
  entries: EksConfig['services'],
  settings: Settings,
): Map<string, ServiceNames> {
  const { names, problems } = resolveServiceNames(services, {
    file: fileKey && entries ? { entries, key: fileKey } : undefined,
    inputs: { stable: inputs.stableService, preview: inputs.previewService },
  });
  if (problems.length > 0) throw new ProblemsError(`${problems.length} problems with the Service names`, problems);
  for (const n of names.values()) {
    const fallback = defaultNames(n.service);
    const prefix = services.length > 1 ? `${n.service}: ` : '';
    for (const [which, input, label] of [
      ['stable', inputs.stableService, 'stable Service'],
      ['preview', inputs.previewService, 'preview Service'],
    ] as const) {
      if (n[which] === fallback[which]) continue;
      settings.provenance.push({
        name: `${prefix}${label}`,
        value: n[which],
        source: input ? 'input' : 'file',
        from: input ? `input '${which}-service'` : `${fileKey}.${entries?.findIndex((e) => entryName(e) === n.service)}.${which}-service`,
      });
    }
  }
  return names;
}

/** A Rollout names its own Services (activeService, previewService): names given for it are refused, not ignored. */
function refuseRolloutNames(names: ReadonlyMap<string, ServiceNames>, inputs: DeployEksInputs, fileKey: string): void {
  const renamed = [...names.values()].find((n) => n.stable !== n.service || n.preview !== defaultNames(n.service).preview);
  if (!renamed) return;
  const input = inputs.stableService ? 'stable-service' : inputs.previewService ? 'preview-service' : undefined;
  throw new ExpeditorError(
    `${input ? `input '${input}'` : fileKey}: ${renamed.service} is an Argo Rollout, which names its own Services (spec.strategy.blueGreen.activeService and previewService)`,
    {
      ...(input ? { input } : { key: fileKey }),
      unchanged: 'nothing was changed',
      next: `leave the Service names of ${renamed.service} out; the Rollout's activeService and previewService are used`,
    },
  );
}
