// The demo app's world on the bed, as a platform team would have set it up before its first
// pipeline run: one AWS account per environment (moto), each with the GitHub OIDC provider and a
// deploy role trusting this repository; the image registry; dev as an ECS rolling service, staging
// as an EKS cluster (moto's EKS in front of the bed's apiserver) with a stable Service on the blue
// color, prod as an ECS service behind CodeDeploy blue/green that holds at Ready (or on EKS behind
// an ALB Ingress, switched by canary weights). Returns the
// environment file that describes it. Used by the act tests and by scripts/sandbox.ts.
import type { GitHubPart, K8sPart, MotoPart, OidcPart, RegistryPart } from '../bed/types.ts';
import { githubOidcRole } from '../bed/aws-roles.ts';
import { blueGreenService, rollingService } from '../e2e/deploy-ecs-bed.ts';
import { bedside, deployment, service, waitAvailable } from '../e2e/switch-eks-bed.ts';
import { waitUntil } from '@expeditor/kube/watch';

export const ACCOUNTS = { dev: '111111111111', staging: '222222222222', prod: '333333333333' } as const;
export type DemoEnvironment = keyof typeof ACCOUNTS;
export const REPOSITORY = 'acme/shop';

export interface DemoBed {
  oidc: OidcPart;
  moto: MotoPart;
  registry: RegistryPart;
  github: GitHubPart;
  k8s?: K8sPart;
}

export interface Demo {
  /** The environment file's text (.github/expeditor.yml). */
  config: string;
  /** Image repository on the bed's registry. */
  repository: string;
  dev: { cluster: string; service: string };
  staging?: { cluster: string; namespace: string; service: string };
  /** prod on ECS behind CodeDeploy, or on EKS behind an Ingress (options.prod). */
  prod: { cluster: string; service: string; application?: string; group?: string; namespace?: string; ingress?: string };
  /** What each step took to set up, ms. */
  timings: Record<string, number>;
}

/** The OIDC provider and the deploy role in `account`, trusting any ref or environment of REPOSITORY. */
export function deployRole(bed: Pick<DemoBed, 'oidc' | 'moto'>, account: string, name = 'deploy'): Promise<string> {
  return githubOidcRole(bed, { account, subject: { subLike: `repo:${REPOSITORY}:*` }, name, reuse: true });
}

async function timed<T>(timings: Record<string, number>, name: string, fn: () => Promise<T>): Promise<T> {
  const start = performance.now();
  try {
    return await fn();
  } finally {
    timings[name] = performance.now() - start;
  }
}

export interface DemoOptions {
  /** Set staging up on EKS (needs the k8s part started after moto); without it staging is left out. */
  eks?: boolean;
  /** Pods per color on EKS (default 2). */
  replicas?: number;
  /** prod as ECS + CodeDeploy blue/green (default) or EKS with an ALB Ingress canary 10/50/100 (needs eks). */
  prod?: 'ecs' | 'eks-ingress';
  log?: (line: string) => void;
}

export async function setUpDemo(bed: DemoBed, options: DemoOptions = {}): Promise<Demo> {
  const timings: Record<string, number> = {};
  const log = options.log ?? (() => undefined);
  const repository = `${bed.registry.host}/demo-app`;
  const bootstrap = `${repository}:bootstrap`;

  const roles = await timed(timings, 'accounts', async () => {
    const out: Record<string, string> = {};
    for (const [env, account] of Object.entries(ACCOUNTS)) out[env] = await deployRole(bed, account);
    log(
      `accounts: ${Object.entries(ACCOUNTS)
        .map(([e, a]) => `${e} ${a}`)
        .join(', ')} — OIDC provider ${bed.oidc.issuer} and role 'deploy' in each`,
    );
    return out;
  });

  const dev = await timed(timings, 'dev: ECS rolling service', async () => {
    const fixture = await rollingService(bed.moto, { account: ACCOUNTS.dev, desired: 2, image: bootstrap });
    log(`dev: ECS cluster ${fixture.cluster}, service ${fixture.service} (rolling, circuit breaker with rollback), 2 tasks`);
    return { cluster: fixture.cluster, service: fixture.service };
  });

  let prod: Demo['prod'] | undefined;
  if (options.prod !== 'eks-ingress') {
    prod = await timed(timings, 'prod: ECS + CodeDeploy blue/green', async () => {
      const fixture = await blueGreenService(bed.moto, { account: ACCOUNTS.prod, waitForReroute: true, terminationMinutes: 0 });
      log(
        `prod: ECS cluster ${fixture.cluster}, service ${fixture.service} behind CodeDeploy ${fixture.application}/${fixture.group} (blue/green, holds at Ready)`,
      );
      return { cluster: fixture.cluster, service: fixture.service, application: fixture.application, group: fixture.group };
    });
  }

  const eksColor = async (cluster: string, account: string, namespace: string, ingress: boolean): Promise<void> => {
    const k8s = bed.k8s;
    if (!k8s?.eks) throw new Error('EKS needs the bed parts moto and k8s (started together)');
    await k8s.eks.createCluster(cluster, { account });
    const b = await bedside(k8s);
    await b.connection.core.createNamespace({ body: { metadata: { name: namespace } } }).catch((error: { code?: number }) => {
      if (error.code !== 409) throw error;
    });
    await waitUntil(b.connection, {
      sources: {
        sa: {
          path: `/api/v1/namespaces/${namespace}/serviceaccounts`,
          list: () => b.connection.core.listNamespacedServiceAccount({ namespace }),
        },
      },
      check: ({ sa }) => (sa.some((x) => x.metadata?.name === 'default') ? true : undefined),
    });
    const svc = 'app';
    await b.connection.apps.createNamespacedDeployment({ namespace, body: deployment(svc, 'blue', bootstrap, options.replicas ?? 2) });
    await b.connection.core.createNamespacedService({ namespace, body: service(svc, { app: svc, version: 'blue' }) });
    if (ingress) {
      // The live color's own Service behind an ALB Ingress, as deploy-eks writes them on the ingress route.
      await b.connection.core.createNamespacedService({ namespace, body: service(`${svc}-blue`, { app: svc, version: 'blue' }) });
      await b.connection.networking.createNamespacedIngress({
        namespace,
        body: {
          metadata: { name: svc, annotations: { 'alb.ingress.kubernetes.io/scheme': 'internet-facing' } },
          spec: {
            ingressClassName: 'alb',
            rules: [
              {
                host: 'demo-app.bed.example',
                http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: `${svc}-blue`, port: { number: 80 } } } }] },
              },
            ],
          },
        },
      });
    }
    await waitAvailable(b, namespace, `${svc}-blue`);
    log(
      `${namespace}: EKS cluster ${cluster} (account ${account}) → the bed's Kubernetes; namespace ${namespace}, Service ${svc} on blue (${options.replicas ?? 2} pods)${ingress ? `, Ingress ${svc} → ${svc}-blue` : ''}`,
    );
  };

  let staging: Demo['staging'];
  if (options.eks) {
    staging = await timed(timings, 'staging: EKS cluster, blue color', async () => {
      await eksColor('app-cluster-staging', ACCOUNTS.staging, 'staging', false);
      return { cluster: 'app-cluster-staging', namespace: 'staging', service: 'app' };
    });
  }
  if (options.prod === 'eks-ingress') {
    prod = await timed(timings, 'prod: EKS cluster, Ingress on blue', async () => {
      await eksColor('app-cluster-prod', ACCOUNTS.prod, 'prod', true);
      return { cluster: 'app-cluster-prod', namespace: 'prod', service: 'app', ingress: 'app' };
    });
  }
  if (!prod) throw new Error('no prod set up');
  const prodEnv = prod;

  const region = bed.moto.region;
  const aws = (env: DemoEnvironment): string => `{ account: "${ACCOUNTS[env]}", region: ${region}, role: "${roles[env]}" }`;
  const config = [
    'app: demo-app',
    `image: { repository: ${repository} }`,
    'environments:',
    '  dev:',
    `    aws: ${aws('dev')}`,
    `    ecs: { cluster: ${dev.cluster}, service: ${dev.service}, strategy: rolling, container: app }`,
    '    vars: { NODE_ENV: development, LOG_LEVEL: debug }',
    '    url: http://dev.demo-app.bed.example',
    ...(staging
      ? [
          '  staging:',
          `    aws: ${aws('staging')}`,
          `    eks: { cluster: ${staging.cluster}, namespace: ${staging.namespace}, strategy: blue-green, route: service, services: [${staging.service}] }`,
          '    promote-from: dev',
          '    url: http://staging.demo-app.bed.example',
        ]
      : []),
    '  prod:',
    `    aws: ${aws('prod')}`,
    prodEnv.ingress
      ? `    eks: { cluster: ${prodEnv.cluster}, namespace: ${prodEnv.namespace}, strategy: blue-green, route: ingress, ingress: ${prodEnv.ingress}, canary: [10, 50, 100], services: [${prodEnv.service}] }`
      : `    ecs: { cluster: ${prodEnv.cluster}, service: ${prodEnv.service}, strategy: blue-green, container: web, codedeploy: { application: ${prodEnv.application}, deployment-group: ${prodEnv.group} } }`,
    `    promote-from: ${staging ? 'staging' : 'dev'}`,
    '    url: https://demo-app.bed.example',
    '',
  ].join('\n');
  return { config, repository, dev, ...(staging ? { staging } : {}), prod: prodEnv, timings };
}
