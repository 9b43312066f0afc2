// The committed bluegreen-switch bundle on EKS, run as the runner runs it (node, INPUT_* variables,
// GITHUB_OUTPUT and GITHUB_STEP_SUMMARY files) against the bed's Kubernetes: switch, rollback and
// cleanup through a kubeconfig; an environment file whose eks.cluster is reached through moto's
// EKS (DescribeCluster + the action's own token); two and ten switch processes at once, of which
// exactly one wins; cancel (SIGTERM) mid-canary; bad input refused before any request.
import { describe, expect, it } from 'vitest';
import { createServer as createHttpsServer, request as httpsRequest } from 'node:https';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { AddressInfo } from 'node:net';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { V1Ingress } from '@kubernetes/client-node';
import { useBed } from '../bed/vitest.ts';
import { waitUntil } from '@expeditor/kube/watch';
import { readyNames, sampleEndpoints, setUpColors, type Colors } from './switch-eks-bed.ts';
import { useSwitchEks } from './switch-eks-fixture.ts';
import { countingServer, jobWorkspace, noAmbientAws, startBundle, type BundleRun } from './bundle-run.ts';

const run = promisify(execFile);
const bed = useBed(['moto', 'k8s']);
const { b, stable } = useSwitchEks(bed);

const workspace = (config?: string): string => jobWorkspace(config, 'switch-eks-bundle-');

/** The bundle as a job of acme/shop at commit c0ffee…02 runs it, in run `runId`, with no AWS credentials but the ones `env` gives. */
const start = (dir: string, inputs: Record<string, string>, env: Record<string, string> = {}, runId = '5000001') =>
  startBundle(
    'bluegreen-switch',
    inputs,
    { GITHUB_SHA: 'c0ffee0000000000000000000000000000000002', GITHUB_RUN_ID: runId, ...noAmbientAws(dir), ...env },
    { workspace: dir },
  );

const runBundle = (dir: string, inputs: Record<string, string>, env?: Record<string, string>, runId?: string): Promise<BundleRun> =>
  start(dir, inputs, env, runId).done;

const viaKubeconfig = (c: Colors, extra: Record<string, string> = {}): Record<string, string> => ({
  platform: 'eks',
  kubeconfig: bed.k8s.kubeconfig,
  namespace: c.ns,
  service: c.svc,
  ...extra,
});

describe('the bluegreen-switch bundle on EKS', () => {
  it('switches, rolls back and cleans up through a kubeconfig, with outputs and a summary', async () => {
    const c = await setUpColors(b);
    const dir = workspace();
    const sampler = sampleEndpoints(b, c.ns, c.svc);
    const r = await runBundle(dir, viaKubeconfig(c, { 'target-color': 'green' }));
    expect(r.status, r.log).toBe(0);
    expect(r.outputs).toMatchObject({ from: 'blue', to: 'green', switched: 'true' });
    expect(Number(r.outputs['convergence-ms'])).toBeGreaterThan(0);
    const svc = await stable(c);
    expect(svc.spec?.selector?.version).toBe('green');
    expect(svc.metadata?.annotations).toMatchObject({
      'expeditor.dev/previous-color': 'blue',
      'expeditor.dev/commit': 'c0ffee0000000000000000000000000000000002',
      'expeditor.dev/run-url': 'https://github.com/acme/shop/actions/runs/5000001',
    });
    const slices = await b.connection.discovery.listNamespacedEndpointSlice({
      namespace: c.ns,
      labelSelector: `kubernetes.io/service-name=${c.svc}`,
    });
    expect(readyNames(slices.items)).toHaveLength(3);
    expect(readyNames(slices.items).every((n) => n.startsWith('shop-green-'))).toBe(true);
    expect(r.summary).toContain('## bluegreen-switch switch (EKS, route service): blue → green');
    expect(r.summary).toMatch(/\| \*\*endpoints converged in\*\* \| \d+ ms \|/);
    expect(r.summary).toContain(`| namespace | ${c.ns} | input 'namespace' |`);
    expect(r.log).toMatch(/::group::Switching Service shop: blue → green/);

    const back = await runBundle(dir, viaKubeconfig(c, { action: 'rollback' }));
    expect(back.status, back.log).toBe(0);
    expect(back.outputs).toMatchObject({ from: 'green', to: 'blue', switched: 'true' });
    const sampled = await sampler.stop();
    expect(sampled.emptyDetails).toEqual([]);

    const cleaned = await runBundle(dir, viaKubeconfig(c, { action: 'cleanup', 'remove-preview': 'true' }));
    expect(cleaned.status, cleaned.log).toBe(0);
    expect(cleaned.outputs).toMatchObject({ from: 'blue', to: 'blue', switched: 'false', 'convergence-ms': '' });
    expect((await b.connection.apps.readNamespacedDeployment({ namespace: c.ns, name: 'shop-green' })).spec?.replicas).toBe(0);
    expect((await b.connection.apps.readNamespacedDeployment({ namespace: c.ns, name: 'shop-blue' })).spec?.replicas).toBe(3);
    expect(cleaned.summary).toContain('| **scaled to zero** | shop-green (was 3) |');
  });

  it('reaches the cluster named by the environment file through EKS (DescribeCluster + its own token) and takes the file’s settings', async () => {
    const c = await setUpColors(b, { live: 'green' });
    await bed.k8s.eks!.createCluster('shop-prod');
    const dir = workspace(
      [
        'app: shop',
        'image: { repository: 123456789012.dkr.ecr.us-west-2.amazonaws.com/shop }',
        'environments:',
        '  prod:',
        '    aws: { account: "123456789012", region: us-west-2, role: "arn:aws:iam::123456789012:role/deploy" }',
        `    eks: { cluster: shop-prod, namespace: ${c.ns}, route: service, services: [shop], color-label: version }`,
        '',
      ].join('\n'),
    );
    const r = await runBundle(dir, { environment: 'prod' }, { ...bed.moto.env(), AWS_ENDPOINT_URL: bed.moto.endpoint });
    expect(r.status, r.log).toBe(0);
    expect(r.outputs).toMatchObject({ from: 'green', to: 'blue', switched: 'true' });
    expect((await stable(c)).spec?.selector?.version).toBe('blue');
    expect(r.log).toMatch(/Connecting to EKS cluster shop-prod \(us-west-2\)/);
    expect(r.summary).toContain('| cluster | shop-prod | environments.prod.eks.cluster |');
    expect(r.summary).toContain('| service | shop | environments.prod.eks.services |');
    // The apiserver asked the bed's webhook about the action's token, which it accepted.
    expect(bed.k8s.eks!.reviews().some((rv) => rv.cluster === 'shop-prod' && rv.authenticated)).toBe(true);
    // The token is a credential: masked once, before use, and nowhere else in the output.
    const lines = r.log.split('\n');
    const masks = lines.filter((l) => l.startsWith('::add-mask::k8s-aws-v1.'));
    expect(masks).toHaveLength(1);
    expect(lines.filter((l) => l.includes('k8s-aws-v1.') && !l.startsWith('::add-mask::'))).toEqual([]);
    expect(r.summary).not.toMatch(/k8s-aws-v1\./);
  });

  // `together`: the processes reach the cluster through a proxy that holds every PATCH of the
  // stable Service until all of them have read it, so all decide on the same resourceVersion and
  // race their writes (without it, start-up jitter often lets late ones see green already live).
  // The proxy only delays requests; the apiserver decides.
  for (const [n, together] of [
    [2, true],
    [10, true],
    [10, false],
  ] as const) {
    it(`${n} switch processes at once${together ? ' (all read before any writes)' : ''}: exactly one wins, the others say someone else switched${together ? '' : ' (or that it is already live)'} and change nothing`, async () => {
      const c = await setUpColors(b);
      const dir = workspace();
      const proxy = together ? await barrierProxy(c, n, dir) : undefined;
      const sampler = sampleEndpoints(b, c.ns, c.svc);
      const runs = await Promise.all(
        Array.from({ length: n }, (_, i) => {
          const own = join(dir, `run-${i}`);
          mkdirSync(own);
          const inputs = viaKubeconfig(c, { 'target-color': 'green', ...(proxy ? { kubeconfig: proxy.kubeconfig(i) } : {}) });
          return runBundle(own, inputs, {}, String(6000000 + i));
        }),
      );
      proxy?.close();
      const sampled = await sampler.stop();
      const winners = runs.filter((r) => r.status === 0 && r.outputs.switched === 'true');
      expect(winners, runs.map((r) => r.log).join('\n----\n')).toHaveLength(1);
      let conflicts = 0;
      for (const r of runs) {
        if (r === winners[0]) continue;
        if (r.status !== 0) {
          conflicts++;
          expect(r.log).toMatch(
            /someone else switched Service shop while this run was deciding: it now selects green \(switched by https:\/\/github.com\/acme\/shop\/actions\/runs\/600000\d/,
          );
          expect(r.log).toMatch(/this run's switch to green was not applied/);
          expect(r.outputs.switched).toBeUndefined();
        } else {
          expect(r.outputs).toMatchObject({ switched: 'false', from: 'green', to: 'green' });
          expect(r.log).toMatch(
            /green is already live on Service shop \(switched by https:\/\/github.com\/acme\/shop\/actions\/runs\/600000\d/,
          );
        }
      }
      if (together) {
        expect(conflicts).toBe(n - 1);
      }
      const winnerRun = 6000000 + runs.indexOf(winners[0]!);
      const svc = await stable(c);
      expect(svc.spec?.selector?.version).toBe('green');
      expect(svc.metadata?.annotations?.['expeditor.dev/run-url']).toBe(`https://github.com/acme/shop/actions/runs/${winnerRun}`);
      expect(sampled.emptyDetails).toEqual([]);
      console.log(
        `${n} processes${together ? ' (together)' : ''}: 1 switched, ${conflicts} lost the race (409), ${n - 1 - conflicts} found green already live`,
      );
    });
  }

  it('SIGTERM mid-canary: the bundle puts every path back on the live color and fails saying so', async () => {
    const c = await setUpColors(b, { ingress: true });
    const dir = workspace();
    const { child, done } = start(
      dir,
      viaKubeconfig(c, { route: 'ingress', ingress: c.ingress, canary: '10,50,100', 'step-pause': '10m', timeout: '30m' }),
    );
    // If the run ends before its first step (e.g. it refused the target), say why instead of
    // waiting for a weight that will never come.
    const endedEarly = done.then((r) => {
      throw new Error(`the bundle ended (exit ${r.status}) before the canary's first step:\n${r.log}`);
    });
    const firstStep = waitUntil(b.connection, {
      sources: {
        i: {
          path: `/apis/networking.k8s.io/v1/namespaces/${c.ns}/ingresses`,
          fieldSelector: `metadata.name=${c.ingress}`,
          list: () => b.connection.networking.listNamespacedIngress({ namespace: c.ns, fieldSelector: `metadata.name=${c.ingress}` }),
        },
      },
      check: ({ i }) =>
        (i[0] as V1Ingress | undefined)?.metadata?.annotations?.['alb.ingress.kubernetes.io/actions.shop-canary']?.includes('"weight":10')
          ? true
          : undefined,
    });
    await Promise.race([firstStep, endedEarly]);
    endedEarly.catch(() => undefined);
    child.kill('SIGTERM');
    const r = await done;
    expect(r.status).toBe(1);
    // (In a workflow command `%` is written as %25.)
    expect(r.log).toMatch(
      /::error::bluegreen-switch: the canary on Ingress shop-web stopped: the run was cancelled \(SIGTERM\); traffic is back on blue \(100%25\)/,
    );
    expect(r.log).toMatch(/restored: shop.example.com\/ → Service shop-blue \(100%\)/);
    const ing = await b.connection.networking.readNamespacedIngress({ namespace: c.ns, name: c.ingress });
    expect(ing.spec?.rules?.[0]?.http?.paths[0]?.backend.service).toEqual({ name: 'shop-blue', port: { number: 80 } });
    expect(ing.metadata?.annotations?.['alb.ingress.kubernetes.io/actions.shop-canary']).toBeUndefined();
    expect(r.summary).toContain('## bluegreen-switch switch (EKS, route ingress) failed');
    expect(r.summary).toContain('the run was cancelled (SIGTERM); traffic is back on blue (100%)');
  });

  it('bad input is refused naming the input, before any request to the cluster', async () => {
    const server = await countingServer();
    const dir = workspace();
    const kubeconfig = join(dir, 'kubeconfig');
    writeFileSync(
      kubeconfig,
      `apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: "https://127.0.0.1:${server.port}", insecure-skip-tls-verify: true}}]\nusers: [{name: u, user: {token: t}}]\ncontexts: [{name: x, context: {cluster: c, user: u}}]\ncurrent-context: x\n`,
    );
    const base = { platform: 'eks', kubeconfig, service: 'shop' };
    const cases: [Record<string, string>, RegExp][] = [
      [{ ...base, route: 'sideways' }, /input 'route': expected one of service, ingress, got "sideways"/],
      [{ ...base, route: 'ingress' }, /input 'ingress': is required with route ingress/],
      [{ ...base, 'target-color': 'purple' }, /input 'target-color': expected one of blue, green, got "purple"/],
      [{ ...base, canary: '50,10,100', route: 'ingress', ingress: 'web' }, /input 'canary': expected increasing weights/],
      [{ ...base, canary: '10,100' }, /input 'canary': needs route ingress/],
      [{ ...base, service: 'Shop_1' }, /input 'service': expected a Kubernetes Service name, got "Shop_1"/],
      [{ ...base, 'ingress-path': '/api' }, /input 'ingress-path': needs route ingress/],
      [{ ...base, action: 'rollback', 'target-color': 'green' }, /input 'target-color': is not used by rollback/],
      [{ ...base, keep: '1h' }, /input 'keep': is only used by action 'cleanup'/],
      // The one connection plan (@expeditor/kube/plan) says what is missing and names the input.
      [{ platform: 'eks', service: 'shop' }, /::error title=input 'cluster'::no cluster to connect to/],
    ];
    try {
      for (const [inputs, message] of cases) {
        const r = await runBundle(dir, inputs);
        expect(r.status, JSON.stringify(inputs)).toBe(1);
        expect(r.log, JSON.stringify(inputs)).toMatch(message);
        expect(r.log).toMatch(/nothing was changed/);
      }
      expect(server.requests()).toBe(0);
    } finally {
      await server.close();
    }
  });
});

/**
 * A TLS proxy to the bed's apiserver for `n` processes (its own certificate, made here):
 * PATCHes of the stable Service wait until each of the n processes has read it (GET) and the last
 * read was answered, then all go at once. Process i talks to it under the path prefix /p<i> (the
 * server of the kubeconfig `kubeconfig(i)` returns), so a process that reads twice (a retried
 * GET under load) is counted once: counting reads let the writes go while one process had not
 * read yet, and it then found green already live.
 */
async function barrierProxy(c: Colors, n: number, dir: string): Promise<{ kubeconfig(i: number): string; close(): void }> {
  const upstream = new URL(bed.k8s.server);
  const stablePath = `/api/v1/namespaces/${c.ns}/services/${c.svc}`;
  const key = join(dir, 'proxy.key');
  const cert = join(dir, 'proxy.crt');
  await run('openssl', [
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1',
    '-nodes',
    '-days',
    '1',
    '-keyout',
    key,
    '-out',
    cert,
    '-subj',
    '/CN=127.0.0.1',
    '-addext',
    'subjectAltName=IP:127.0.0.1',
  ]);
  const readers = new Set<string>();
  const waiting: (() => void)[] = [];
  const server = createHttpsServer({ key: readFileSync(key), cert: readFileSync(cert) }, (req, res) => {
    const [, reader = '', url = req.url ?? ''] = /^\/p(\d+)(\/.*)$/.exec(req.url ?? '') ?? [];
    const forward = (answered?: () => void): void => {
      const up = httpsRequest(
        {
          host: upstream.hostname,
          port: upstream.port,
          method: req.method,
          path: url,
          headers: { ...req.headers, host: upstream.host },
          ca: bed.k8s.caData,
        },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          // Headers at once, as the apiserver sends them (a watch has no body until an event).
          res.flushHeaders();
          answer.pipe(res);
          if (answered) answer.on('end', answered);
        },
      );
      up.on('error', () => res.destroy());
      // A client that goes away (a watch it stopped) takes its upstream request with it.
      res.on('close', () => up.destroy());
      req.pipe(up);
    };
    const stable = url.split('?')[0] === stablePath;
    if (stable && req.method === 'GET') {
      const last = !readers.has(reader) && readers.add(reader).size === n;
      // The held writes go once the last reader has its answer (so it read the old version).
      forward(
        last
          ? () => {
              for (const release of waiting.splice(0)) release();
            }
          : undefined,
      );
    } else if (stable && req.method === 'PATCH' && readers.size < n) {
      waiting.push(forward);
    } else {
      forward();
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const ca = readFileSync(cert).toString('base64');
  const kubeconfig = (i: number): string => {
    const file = join(dir, `proxy-kubeconfig-${i}`);
    writeFileSync(
      file,
      `apiVersion: v1\nkind: Config\nclusters: [{name: p, cluster: {server: "https://127.0.0.1:${(server.address() as AddressInfo).port}/p${i}", certificate-authority-data: ${ca}}}]\nusers: [{name: u, user: {token: "${bed.k8s.token}"}}]\ncontexts: [{name: p, context: {cluster: p, user: u}}]\ncurrent-context: p\n`,
    );
    return file;
  };
  return {
    kubeconfig,
    close: () => {
      server.closeAllConnections();
      server.close();
    },
  };
}
