// The bed's Kubernetes: real etcd, kube-apiserver, kube-controller-manager and kube-scheduler,
// with KWOK playing the kubelets of a few simulated nodes (stages in test/bed/k8s/kwok-stages.yaml).
// Everything listens on 127.0.0.1 on ports chosen free at start, with certificates, tokens and
// data in the bed's own directory, so test files can each start one in parallel.
import { execFile } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { setTimeout as delay } from 'node:timers/promises';
import { bedBinary } from '../cache.ts';
import { freePort } from '../ports.ts';
import { httpAnswers, startServer, type ServerProcess } from '../process.ts';
import type { BedContext, K8sPart, PartHandle } from '../types.ts';
import { startTokenWebhook, webhookConfig, type TokenWebhook } from '../eks/webhook.ts';
import { bedEks } from '../eks/cluster.ts';

const run = promisify(execFile);
const stagesFile = fileURLToPath(new URL('../k8s/kwok-stages.yaml', import.meta.url));

/** Per simulated node; two nodes hold 50 services x 3 replicas with room to spare. */
const nodeCapacity = { cpu: '32', memory: '128Gi', pods: 250 } as const;
const nodeNames = ['bed-node-0', 'bed-node-1'] as const;
const serviceRange = '10.96.0.0/16';
/** What kube-controller-manager runs: enough for Deployments behind Services, nothing that needs a cloud or metrics. */
const controllers = [
  'deployment-controller',
  'replicaset-controller',
  'endpoints-controller',
  'endpointslice-controller',
  'namespace-controller',
  'garbage-collector-controller',
  'serviceaccount-controller',
  'serviceaccount-token-controller',
  'root-ca-certificate-publisher-controller',
];

/** Distinct free ports: two quick calls to freePort can hand out the same one. */
async function freePorts(count: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < count) ports.add(await freePort());
  return [...ports];
}

/** A CA and an apiserver serving certificate signed by it (EC keys: generated in milliseconds). */
async function makeCerts(dir: string): Promise<{ caFile: string; certFile: string; keyFile: string }> {
  const caFile = join(dir, 'ca.crt');
  const caKey = join(dir, 'ca.key');
  const certFile = join(dir, 'apiserver.crt');
  const keyFile = join(dir, 'apiserver.key');
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '3650'];
  await run('openssl', [
    'req',
    '-x509',
    ...ec,
    '-keyout',
    caKey,
    '-out',
    caFile,
    '-subj',
    '/CN=expeditor-bed-ca',
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  ]);
  const names = ['localhost', 'kubernetes', 'kubernetes.default', 'kubernetes.default.svc', 'kubernetes.default.svc.cluster.local'];
  await run('openssl', [
    'req',
    '-x509',
    ...ec,
    '-CA',
    caFile,
    '-CAkey',
    caKey,
    '-keyout',
    keyFile,
    '-out',
    certFile,
    '-subj',
    '/CN=kube-apiserver',
    '-addext',
    `subjectAltName=${[...names.map((n) => `DNS:${n}`), 'IP:127.0.0.1', 'IP:10.96.0.1'].join(',')}`,
    '-addext',
    'basicConstraints=critical,CA:FALSE',
    '-addext',
    'extendedKeyUsage=serverAuth',
  ]);
  return { caFile, certFile, keyFile };
}

export type Api = <T = unknown>(method: string, path: string, body?: unknown) => Promise<{ status: number; body: T }>;

/** A tiny JSON client for the bed's own calls: loading @kubernetes/client-node costs ~0.4 s. */
export function apiClient(server: string, token: string, ca: string): Api {
  return (method, path, body) =>
    new Promise((resolve, reject) => {
      const payload = body === undefined ? undefined : JSON.stringify(body);
      const req = request(
        `${server}${path}`,
        {
          method,
          ca,
          headers: {
            authorization: `Bearer ${token}`,
            accept: 'application/json',
            ...(payload ? { 'content-type': 'application/json' } : {}),
          },
          timeout: 5000,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            let parsed: unknown = text;
            try {
              parsed = JSON.parse(text);
            } catch {
              /* /readyz answers plain text */
            }
            resolve({ status: res.statusCode ?? 0, body: parsed as never });
          });
        },
      );
      req.on('timeout', () => req.destroy(new Error(`${method} ${path}: timed out`)));
      req.on('error', reject);
      req.end(payload);
    });
}

export async function start(ctx: BedContext): Promise<PartHandle<K8sPart>> {
  const bin = {
    etcd: bedBinary('k8s', 'etcd'),
    apiserver: bedBinary('k8s', 'kube-apiserver'),
    controllerManager: bedBinary('k8s', 'kube-controller-manager'),
    scheduler: bedBinary('k8s', 'kube-scheduler'),
    kwok: bedBinary('k8s', 'kwok'),
  };
  const dir = join(ctx.dir, 'k8s');
  mkdirSync(dir, { recursive: true });
  // Fewer garbage collections while the apiserver builds its API: ~15% less CPU to ready, for
  // a few hundred MB more memory, on a machine where start is CPU-bound.
  const env = { ...process.env, GOGC: '400' };
  const servers: ServerProcess[] = [];
  let webhook: TokenWebhook | undefined;
  const stop = async (): Promise<void> => {
    // Controllers first (all at once), then the apiserver, then its store.
    const [etcd, apiserver, ...rest] = servers.splice(0);
    await Promise.all(rest.map((s) => s.stop()));
    await apiserver?.stop();
    await etcd?.stop();
    await webhook?.stop();
  };

  try {
    const [etcdPort, etcdPeerPort, apiPort, schedulerPort, kwokPort] = await freePorts(5);
    const server = `https://127.0.0.1:${apiPort}`;
    const token = randomBytes(24).toString('hex');

    // etcd starts while the certificates and keys are made.
    const etcdDir = join(dir, 'etcd');
    const etcdStarted = startServer({
      name: 'k8s-etcd',
      env,
      command: bin.etcd,
      args: [
        '--name=bed',
        `--data-dir=${etcdDir}`,
        `--listen-client-urls=http://127.0.0.1:${etcdPort}`,
        `--advertise-client-urls=http://127.0.0.1:${etcdPort}`,
        `--listen-peer-urls=http://127.0.0.1:${etcdPeerPort}`,
        `--initial-advertise-peer-urls=http://127.0.0.1:${etcdPeerPort}`,
        `--initial-cluster=bed=http://127.0.0.1:${etcdPeerPort}`,
        // A throw-away store: durability costs time and buys nothing here.
        '--unsafe-no-fsync',
        '--log-level=warn',
      ],
      logDir: ctx.logDir,
      ready: () => httpAnswers(`http://127.0.0.1:${etcdPort}/health`),
    });
    const certs = await makeCerts(dir).catch(async (error: unknown) => {
      await etcdStarted.then(
        (etcd) => etcd.stop(),
        () => undefined,
      );
      throw error;
    });
    const ca = readFileSync(certs.caFile, 'utf8');
    const sa = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    const saKey = join(dir, 'sa.key');
    const saPub = join(dir, 'sa.pub');
    writeFileSync(saKey, sa.privateKey.export({ type: 'pkcs8', format: 'pem' }));
    writeFileSync(saPub, sa.publicKey.export({ type: 'spki', format: 'pem' }));
    const tokenFile = join(dir, 'tokens.csv');
    writeFileSync(tokenFile, `${token},bed-admin,bed-admin,"system:masters"\n`, { mode: 0o600 });
    const kubeconfig = join(dir, 'kubeconfig');
    writeFileSync(
      kubeconfig,
      [
        'apiVersion: v1',
        'kind: Config',
        'clusters:',
        '- name: bed',
        '  cluster:',
        `    server: ${server}`,
        `    certificate-authority-data: ${Buffer.from(ca).toString('base64')}`,
        'users:',
        '- name: bed-admin',
        '  user:',
        `    token: ${token}`,
        'contexts:',
        '- name: bed',
        '  context: { cluster: bed, user: bed-admin, namespace: default }',
        'current-context: bed',
        '',
      ].join('\n'),
      { mode: 0o600 },
    );
    servers.push(await etcdStarted);

    // With moto on the bed, EKS tokens are checked against its STS by a TokenReview webhook,
    // which must answer before the apiserver starts.
    const webhookArgs: string[] = [];
    if (ctx.started.moto) {
      webhook = await startTokenWebhook(ctx.started.moto.endpoint);
      const webhookFile = join(dir, 'token-webhook.kubeconfig');
      writeFileSync(webhookFile, webhookConfig(webhook.url));
      webhookArgs.push(
        `--authentication-token-webhook-config-file=${webhookFile}`,
        '--authentication-token-webhook-version=v1',
        // Short, so a test sees the webhook's verdict on a changed mapping within seconds.
        '--authentication-token-webhook-cache-ttl=5s',
      );
    }

    const api = apiClient(server, token, ca);
    servers.push(
      await startServer({
        name: 'kube-apiserver',
        env,
        command: bin.apiserver,
        args: [
          `--etcd-servers=http://127.0.0.1:${etcdPort}`,
          `--secure-port=${apiPort}`,
          '--bind-address=127.0.0.1',
          `--tls-cert-file=${certs.certFile}`,
          `--tls-private-key-file=${certs.keyFile}`,
          `--token-auth-file=${tokenFile}`,
          '--authorization-mode=RBAC',
          `--service-account-key-file=${saPub}`,
          `--service-account-signing-key-file=${saKey}`,
          '--service-account-issuer=https://kubernetes.default.svc',
          `--service-cluster-ip-range=${serviceRange}`,
          // New nodes would carry the not-ready taint until a node-lifecycle controller saw them
          // Ready; KWOK nodes are Ready at once, so they are schedulable from the start instead.
          '--disable-admission-plugins=TaintNodesByCondition',
          // Nodes' Hostname addresses resolve nowhere; their InternalIP is KWOK's 127.0.0.1.
          '--kubelet-preferred-address-types=InternalIP',
          '--profiling=false',
          // PodTemplates (which nothing on the bed uses) skip the watch cache, so after
          // compactEtcd a watch of them from an old resourceVersion meets etcd's real 410 Gone.
          '--watch-cache-sizes=podtemplates#0',
          ...webhookArgs,
        ],
        logDir: ctx.logDir,
        // Serving is enough to start the rest (they act as system:masters, which needs no RBAC
        // bootstrap), so their start overlaps the post-start hooks; /readyz is awaited alongside.
        ready: async () => (await api('GET', '/version')).status === 200,
      }),
    );
    const apiReady = poll(async () => (await api('GET', '/readyz')).status === 200, 'kube-apiserver /readyz');
    apiReady.catch(() => undefined); // awaited below; not an unhandled rejection meanwhile

    const controllerManager = startServer({
      name: 'kube-controller-manager',
      env,
      command: bin.controllerManager,
      args: [
        `--kubeconfig=${kubeconfig}`,
        `--controllers=${controllers.join(',')}`,
        '--leader-elect=false',
        '--secure-port=0',
        `--service-account-private-key-file=${saKey}`,
        `--root-ca-file=${certs.caFile}`,
        // Tests create dozens of deployments at once; the default 20 requests/s would queue them.
        '--kube-api-qps=500',
        '--kube-api-burst=1000',
      ],
      logDir: ctx.logDir,
      // Pods are refused in a namespace until its default ServiceAccount exists.
      ready: async () => (await api('GET', '/api/v1/namespaces/default/serviceaccounts/default')).status === 200,
    });
    const scheduler = startServer({
      name: 'kube-scheduler',
      env,
      command: bin.scheduler,
      args: [`--kubeconfig=${kubeconfig}`, '--leader-elect=false', '--bind-address=127.0.0.1', `--secure-port=${schedulerPort}`],
      logDir: ctx.logDir,
      ready: () => httpsAnswersInsecure(`https://127.0.0.1:${schedulerPort}/readyz`),
    });
    const kwokDir = join(dir, 'kwok');
    mkdirSync(kwokDir);
    // pods/log goes apiserver -> "kubelet" (KWOK's server, the nodes' kubelet endpoint) -> this
    // file, in the CRI log format a kubelet reads; the same file for every container.
    const containerLog = join(dir, 'container.log');
    writeFileSync(containerLog, criLines(['bed: container started (simulated by KWOK)']));
    const previousLog = join(dir, 'container-previous.log');
    writeFileSync(previousLog, criLines(['bed: previous container instance exited with status 1']));
    const logsConfig = join(kwokDir, 'logs.yaml');
    writeFileSync(
      logsConfig,
      JSON.stringify({
        apiVersion: 'kwok.x-k8s.io/v1alpha1',
        kind: 'ClusterLogs',
        metadata: { name: 'bed-all-containers' },
        spec: { logs: [{ logsFile: containerLog, previousLogsFile: previousLog, follow: true }] },
      }),
    );
    const kwok = startServer({
      name: 'kwok',
      command: bin.kwok,
      args: [
        `--kubeconfig=${kubeconfig}`,
        `--config=${stagesFile}`,
        `--config=${logsConfig}`,
        '--manage-all-nodes=true',
        // One port for its health check and the nodes' kubelet API (HTTP and HTTPS on the same port).
        `--server-address=127.0.0.1:${kwokPort}`,
        `--node-port=${kwokPort}`,
        '--node-ip=127.0.0.1',
      ],
      // KWOK reads ~/.kwok/kwok.yaml when it exists; the bed's stages must be the only ones.
      env: { ...env, KWOK_WORKDIR: kwokDir },
      logDir: ctx.logDir,
      ready: () => httpAnswers(`http://127.0.0.1:${kwokPort}/healthz`),
    });
    const nodesReady = Promise.all(
      nodeNames.map(async (name, i) => {
        await createNode(api, name, i);
        await poll(() => nodeReady(api, name), `node ${name} Ready (see kwok.log)`);
      }),
    );
    nodesReady.catch(() => undefined); // awaited below
    const started = await Promise.allSettled([controllerManager, scheduler, kwok]);
    for (const s of started) if (s.status === 'fulfilled') servers.push(s.value);
    for (const s of started) if (s.status === 'rejected') throw s.reason;
    await nodesReady;
    await apiReady;

    const version = (await api<{ gitVersion: string }>('GET', '/version')).body.gitVersion;
    return {
      part: {
        server,
        kubeconfig,
        token,
        caFile: certs.caFile,
        caData: ca,
        containerLog,
        version,
        nodes: [...nodeNames],
        nodeCapacity: { ...nodeCapacity },
        compactEtcd: () => compactEtcd(`http://127.0.0.1:${etcdPort}`),
        ...(webhook && ctx.started.moto ? { eks: bedEks(ctx.started.moto, webhook, { server, caData: ca }) } : {}),
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** etcd's JSON gateway: the current revision, then a physical compaction up to it. */
async function compactEtcd(etcd: string): Promise<number> {
  const post = async (path: string, body: unknown): Promise<unknown> => {
    const response = await fetch(`${etcd}${path}`, { method: 'POST', body: JSON.stringify(body) });
    if (!response.ok) throw new Error(`bed k8s: etcd ${path} answered ${response.status} ${await response.text()}`);
    return response.json();
  };
  const range = (await post('/v3/kv/range', { key: Buffer.from('/').toString('base64') })) as { header: { revision: string } };
  const revision = Number(range.header.revision);
  await post('/v3/kv/compaction', { revision, physical: true });
  return revision;
}

async function createNode(api: Api, name: string, index: number): Promise<void> {
  const resources = { cpu: nodeCapacity.cpu, memory: nodeCapacity.memory, pods: String(nodeCapacity.pods) };
  const cidr = `10.244.${index * 4}.0/22`;
  const node = {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name,
      labels: {
        'kubernetes.io/hostname': name,
        'kubernetes.io/os': 'linux',
        'kubernetes.io/arch': 'amd64',
        'topology.kubernetes.io/zone': `bed-${String.fromCharCode(97 + index)}`,
        type: 'kwok',
      },
      annotations: { 'kwok.x-k8s.io/node': 'fake' },
    },
    spec: { podCIDR: cidr, podCIDRs: [cidr] },
    status: { capacity: resources, allocatable: resources },
  };
  let last = '';
  await poll(
    async () => {
      const { status, body } = await api('POST', '/api/v1/nodes', node);
      last = `${status} ${JSON.stringify(body)}`;
      // The apiserver may still be finishing its start (5xx); anything else 4xx is a real error.
      if (status >= 400 && status < 500) throw new Error(`bed k8s: creating node ${name} answered ${last}`);
      return status === 201;
    },
    () => `node ${name} created (last answer: ${last})`,
  );
}

async function nodeReady(api: Api, name: string): Promise<boolean> {
  const { body } = await api<{ status?: { conditions?: { type: string; status: string }[] } }>('GET', `/api/v1/nodes/${name}`);
  return body.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}

/** Calls `check` every 50 ms until it is true; throws after `timeoutMs` (a hang guard). */
async function poll(check: () => Promise<boolean>, what: string | (() => string), timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (
      await check().catch((error: unknown) => {
        if (error instanceof Error && error.message.startsWith('bed k8s:')) throw error;
        return false;
      })
    )
      return;
    if (Date.now() > deadline) {
      throw new Error(`bed k8s: gave up waiting for ${typeof what === 'string' ? what : what()} after ${timeoutMs} ms`);
    }
    await delay(50);
  }
}

/** Lines in the CRI log format (what a kubelet stores and KWOK reads). */
export function criLines(lines: string[], stream: 'stdout' | 'stderr' = 'stdout'): string {
  return lines.map((line) => `${new Date().toISOString()} ${stream} F ${line}\n`).join('');
}

/** The scheduler serves /readyz with a self-signed certificate of its own. */
function httpsAnswersInsecure(url: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request(url, { rejectUnauthorized: false, timeout: 2000 }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode === 200));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
    req.end();
  });
}
