// Behind a corporate proxy (#15): every client the actions make goes through HTTPS_PROXY /
// HTTP_PROXY unless NO_PROXY exempts its host, and the proxy's credentials never reach the log.
// Committed bundles run as the runner runs them, against the bed's servers through a recording
// CONNECT proxy: assume-env (the OIDC token request over https, and the AWS SDK's STS calls to
// moto), bluegreen-switch (the Kubernetes client to the bed's apiserver) and deployment-record
// (the GitHub API on the bed's server), deploy-eks (the registry client that resolves a tag to its
// digest, beside the Kubernetes client). The servers are named by names only the proxy resolves
// (recording-proxy.ts), so a request can only succeed through it; for NO_PROXY the child resolves
// them itself and the proxy must see no tunnel to the exempted host.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { githubOidcRole } from '../bed/aws-roles.ts';
import { useBed } from '../bed/vitest.ts';
import { jobWorkspace, noAmbientAws, root, runBundle, type BundleRun } from './bundle-run.ts';
import { bedName, preloadHosts, type RecordingProxy, recordingProxy, testCertificate } from './recording-proxy.ts';
import { deploymentManifest, kubeconfigConnection, newNamespace, workspace, writeManifest } from './deploy-eks-bed.ts';
import { setUpColors } from './switch-eks-bed.ts';
import { useSwitchEks } from './switch-eks-fixture.ts';

const bed = useBed(['oidc', 'moto', 'k8s', 'github', 'registry']);
const { b, stable } = useSwitchEks(bed);
const PROD = '111111111111';
const USER = 'corp-user';
const PASSWORD = 'pr0xy-Pa55-Zq9w';

let proxy: RecordingProxy;
let caFile = '';
beforeAll(async () => {
  const certs = testCertificate(bed.dir, ['oidc.bed.test', 'registry.bed.test']);
  caFile = certs.certFile;
  // The OIDC request goes to https://oidc.bed.test, the registry's to https://registry.bed.test: TLS
  // ends at the proxy, the bed's issuer and registry are plain HTTP.
  proxy = await recordingProxy({ user: USER, password: PASSWORD, tls: { 'oidc.bed.test': certs, 'registry.bed.test': certs } });
});
afterAll(() => proxy?.close());

/** The proxy variables as a runner behind a proxy has them; `noProxy` set: the child resolves the bed's names itself. */
const behindProxy = (noProxy?: string): Record<string, string> => ({
  HTTPS_PROXY: proxy.url,
  http_proxy: proxy.url,
  ...(noProxy !== undefined ? { NO_PROXY: noProxy, NODE_OPTIONS: preloadHosts } : {}),
});

/** `url` with its host replaced by `name`.bed.test (same port). */
const renamed = (url: string, name: string, protocol?: string): string => {
  const u = new URL(url);
  u.hostname = `${name}.bed.test`;
  if (protocol) u.protocol = protocol;
  return u.href.replace(/\/$/, '');
};
const portOf = (url: string): string => new URL(url).port;

/** Nothing the step wrote holds the proxy password, but the mask command that hides it; its debug line names the proxy without it. */
function expectProxyUsedQuietly(r: BundleRun): void {
  const lines = r.stdout.split('\n');
  expect(lines).toContain(`::add-mask::${PASSWORD}`);
  const written = [...lines.filter((l) => !l.startsWith('::add-mask::')), r.stderr, r.summary, r.envFile, r.outputFile].join('\n');
  expect(written).not.toContain(PASSWORD);
  expect(written).not.toContain(Buffer.from(`${USER}:${PASSWORD}`).toString('base64'));
  const announced = lines.filter((l) => l.startsWith('::debug::requests go through a proxy'));
  expect(announced, r.stdout).toHaveLength(1);
  expect(announced[0]).toContain(`=http://***@127.0.0.1:${proxy.port}`);
  // Masked before the first request through the proxy was announced (and so before it was sent).
  expect(lines.indexOf(`::add-mask::${PASSWORD}`)).toBeLessThan(lines.indexOf(announced[0] as string));
}

/** Every tunnel since `from` carried the proxy's credentials. */
function expectAuthenticated(from: number): void {
  for (const t of proxy.tunnels.slice(from)) expect(t.credentials, t.target).toBe(`${USER}:${PASSWORD}`);
}

describe('assume-env behind a proxy: the OIDC token request and the AWS SDK (STS on moto)', () => {
  const configFor = (role: string): string =>
    [
      'app: shop',
      'image: { repository: 123456789012.dkr.ecr.us-west-2.amazonaws.com/shop }',
      'environments:',
      '  prod:',
      `    aws: { account: "${PROD}", region: us-west-2, role: "${role}" }`,
      '',
    ].join('\n');

  const assume = async (env: Record<string, string>): Promise<BundleRun> => {
    const role = await githubOidcRole(bed, { account: PROD, subject: { subLike: 'repo:acme/shop:environment:prod' } });
    bed.oidc.setClaims({ environment: 'prod' });
    const dir = jobWorkspace(configFor(role), 'proxy-assume-');
    return runBundle(
      'assume-env',
      { environment: 'prod' },
      {
        ...noAmbientAws(dir),
        ACTIONS_ID_TOKEN_REQUEST_URL: renamed(bed.oidc.requestUrl, 'oidc', 'https:'),
        ACTIONS_ID_TOKEN_REQUEST_TOKEN: bed.oidc.requestToken,
        AWS_ENDPOINT_URL: renamed(bed.moto.endpoint, 'moto'),
        NODE_EXTRA_CA_CERTS: caFile,
        ...env,
      },
      { workspace: dir },
    );
  };

  test('both go through the proxy with its credentials, which appear nowhere in the log', async () => {
    const from = proxy.tunnels.length;
    const r = await assume(behindProxy());
    expect(r.status, r.log).toBe(0);
    expect(r.outputs).toMatchObject({ account: PROD, source: 'oidc' });
    const targets = proxy.targets(from);
    expect(targets).toContain(bedName('oidc', portOf(bed.oidc.requestUrl)));
    expect(targets).toContain(bedName('moto', portOf(bed.moto.endpoint)));
    expectAuthenticated(from);
    expectProxyUsedQuietly(r);
  });

  test('NO_PROXY exempts a host: moto is reached directly, the OIDC issuer still through the proxy', async () => {
    const from = proxy.tunnels.length;
    const r = await assume(behindProxy('moto.bed.test'));
    expect(r.status, r.log).toBe(0);
    expect(proxy.targets(from)).toEqual([bedName('oidc', portOf(bed.oidc.requestUrl))]);
  });

  test('a proxy that refuses the credentials fails the run without showing them', async () => {
    const from = proxy.tunnels.length;
    const wrong = proxy.url.replace(PASSWORD, 'not-the-Pa55word');
    const r = await assume({ HTTPS_PROXY: wrong, HTTP_PROXY: wrong });
    expect(r.status).toBe(1);
    expect(proxy.tunnels.length).toBeGreaterThan(from);
    expect(proxy.tunnels.slice(from).every((t) => !t.allowed)).toBe(true);
    expect(
      r.stdout
        .split('\n')
        .filter((l) => !l.startsWith('::add-mask::'))
        .join('\n'),
    ).not.toContain('not-the-Pa55word');
  });
});

/** The bed's admin kubeconfig, its server named kubernetes.default.svc (in the apiserver's certificate). */
const kubeconfig = (dir: string): string => {
  const path = join(dir, 'kubeconfig');
  const server = new URL(bed.k8s.server);
  writeFileSync(path, readFileSync(bed.k8s.kubeconfig, 'utf8').replaceAll(bed.k8s.server, `https://kubernetes.default.svc:${server.port}`));
  return path;
};
const kubeTarget = (): string => `kubernetes.default.svc:${new URL(bed.k8s.server).port}`;

describe('the Kubernetes client behind a proxy (bluegreen-switch)', () => {
  const switchTo = async (color: string, env: Record<string, string>): Promise<{ r: BundleRun; ns: string; svc: string }> => {
    const c = await setUpColors(b);
    const dir = jobWorkspace(undefined, 'proxy-kube-');
    const r = await runBundle(
      'bluegreen-switch',
      { platform: 'eks', kubeconfig: kubeconfig(dir), namespace: c.ns, service: c.svc, 'target-color': color },
      { GITHUB_SHA: 'c0ffee0000000000000000000000000000000002', ...noAmbientAws(dir), ...env },
      { workspace: dir },
    );
    expect(r.status, r.log).toBe(0);
    expect((await stable(c)).spec?.selector?.version).toBe(color);
    return { r, ns: c.ns, svc: c.svc };
  };

  test('requests and watches go through the proxy (undici ProxyAgent from the environment), credentials unlogged', async () => {
    const from = proxy.tunnels.length;
    const { r } = await switchTo('green', behindProxy());
    expect(proxy.targets(from).length).toBeGreaterThan(0);
    expect(new Set(proxy.targets(from))).toEqual(new Set([kubeTarget()]));
    expectAuthenticated(from);
    expectProxyUsedQuietly(r);
  });

  test('NO_PROXY exempts the cluster: no tunnel', async () => {
    const from = proxy.tunnels.length;
    await switchTo('green', behindProxy('localhost,.default.svc'));
    expect(proxy.tunnels.length).toBe(from);
  });
});

describe('the GitHub API behind a proxy (deployment-record)', () => {
  let workspace = '';
  beforeAll(() => {
    workspace = jobWorkspace(undefined, 'proxy-record-');
    mkdirSync(join(workspace, '.github'), { recursive: true });
    writeFileSync(
      join(workspace, '.github/expeditor.yml'),
      readFileSync(join(root, 'examples/expeditor.yml'), 'utf8').replace(
        '# yaml-language-server: $schema=../schema/expeditor.schema.json\n',
        '',
      ),
    );
  });
  let n = 0;
  const record = (env: Record<string, string>): Promise<BundleRun> =>
    runBundle(
      'deployment-record',
      {
        token: bed.github.token,
        mode: 'start',
        environment: 'dev',
        image: `127.0.0.1:5000/demo-app@sha256:${String(++n).padStart(4, '0').repeat(16)}`,
      },
      { ...bed.github.env, GITHUB_API_URL: renamed(bed.github.apiUrl, 'github'), GITHUB_SHA: 'a'.repeat(40), ...env },
      { workspace },
    );

  test('the requests go through the proxy, credentials unlogged', async () => {
    const from = proxy.tunnels.length;
    const before = bed.github.requests().length;
    const r = await record(behindProxy());
    expect(r.status, r.log).toBe(0);
    expect(r.outputs['deployment-id']).toMatch(/^\d+$/);
    expect(bed.github.requests().length).toBeGreaterThan(before);
    expect(new Set(proxy.targets(from))).toEqual(new Set([bedName('github', portOf(bed.github.apiUrl))]));
    expectAuthenticated(from);
    expectProxyUsedQuietly(r);
  });

  test('NO_PROXY with a domain suffix exempts it', async () => {
    const from = proxy.tunnels.length;
    const r = await record(behindProxy('.bed.test'));
    expect(r.status, r.log).toBe(0);
    expect(proxy.tunnels.length).toBe(from);
  });
});

describe('the registry client behind a proxy (deploy-eks resolves a tag to its digest)', () => {
  /** deploy-eks of the bed's base image by tag, the registry named registry.bed.test (https, ended at the proxy). */
  let runs = 0;
  const deployByTag = async (env: Record<string, string>): Promise<{ r: BundleRun; image: string; registry: string }> => {
    const ns = await newNamespace(await kubeconfigConnection(bed.k8s), `proxy-registry-${++runs}`);
    const ws = workspace();
    const registry = bedName('registry', bed.registry.host.split(':')[1] as string);
    const image = bed.registry.baseImage.replace(bed.registry.host, registry);
    const manifest = writeManifest(
      ws,
      'deploy/shop.yaml',
      deploymentManifest('shop', { replicas: 1, ports: [8080], image: image.replace(/:1$/, ':0') }),
    );
    const r = await runBundle(
      'deploy-eks',
      { image, services: 'shop', namespace: ns, manifest, kubeconfig: kubeconfig(ws) },
      { GITHUB_SHA: 'c0ffee0000000000000000000000000000000003', ...noAmbientAws(ws), NODE_EXTRA_CA_CERTS: caFile, ...env },
      { workspace: ws },
    );
    return { r, image, registry };
  };

  test('the manifest lookup goes through the proxy with the Kubernetes requests, credentials unlogged', async () => {
    const from = proxy.tunnels.length;
    const { r, registry } = await deployByTag(behindProxy());
    expect(r.status, r.log).toBe(0);
    const [repository, tag] = bed.registry.baseImage.slice(bed.registry.host.length + 1).split(':') as [string, string];
    const [result] = JSON.parse(r.outputs.results ?? '[]') as { image: string }[];
    expect(result?.image).toBe(`${registry}/${repository}@${await bed.registry.digest(repository, tag)}`);
    expect(new Set(proxy.targets(from))).toEqual(new Set([kubeTarget(), registry]));
    expectAuthenticated(from);
    expectProxyUsedQuietly(r);
  });

  test('NO_PROXY exempting the registry sends only the Kubernetes requests through the proxy', async () => {
    const from = proxy.tunnels.length;
    const { r } = await deployByTag(behindProxy('registry.bed.test'));
    // Exempted, the registry is reached directly over https, where the bed serves plain HTTP:
    // the lookup fails at the registry, which proves it did not go through the proxy.
    expect(r.status).toBe(1);
    expect(r.stdout.split('\n').find((l) => l.startsWith('::error'))).toMatch(
      /could not be resolved to a digest: registry registry\.bed\.test:\d+ is unreachable/,
    );
    expect(proxy.targets(from).every((t) => t === kubeTarget())).toBe(true);
  });
});
