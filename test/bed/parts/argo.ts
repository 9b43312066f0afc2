// The bed's Argo Rollouts: the real rollouts-controller (built by test/bed/install/argo.sh) with
// its CRDs, against the bed's Kubernetes. The CRDs go into this bed's apiserver at start (each
// test file has its own), then one controller watches every namespace of it, as the upstream
// install does, with leader election off and its metrics and health servers on free ports.
import { existsSync, readFileSync, readdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { parse } from 'yaml';
import { bedBinary, cacheDir } from '../cache.ts';
import { freePort } from '../ports.ts';
import { startServer, type ServerProcess } from '../process.ts';
import type { ArgoPart, BedContext, PartHandle } from '../types.ts';
import { apiClient, type Api } from './k8s.ts';

const crdDir = join(cacheDir, 'argo-crds');
const crdPath = '/apis/apiextensions.k8s.io/v1/customresourcedefinitions';

type Crd = { metadata: { name: string }; spec: { versions: { name: string }[] } };
type CrdStatus = { status?: { conditions?: { type: string; status: string }[] } };

/**
 * The CRDs the install copied from the module. Their 3 MB of YAML take ~1.2 s to parse, in every
 * test file's process: the first parse is kept beside them as JSON (written to a temporary name,
 * then renamed, so parallel files never read half of it); a reinstall removes the directory.
 */
let crdsParsed: Crd[] | undefined;
function crds(): Crd[] {
  if (crdsParsed) return crdsParsed;
  bedBinary('argo', 'rollouts-controller');
  const cached = join(crdDir, 'crds.json');
  if (existsSync(cached)) {
    crdsParsed = JSON.parse(readFileSync(cached, 'utf8')) as Crd[];
    return crdsParsed;
  }
  const files = readdirSync(crdDir).filter((f) => f.endsWith('-crd.yaml'));
  if (files.length === 0) throw new Error(`bed part 'argo' is not installed: no CRDs in ${crdDir}. Run: bash test/bed/install.sh argo`);
  crdsParsed = files.sort().map((f) => parse(readFileSync(join(crdDir, f), 'utf8'), { maxAliasCount: -1 }) as Crd);
  const temporary = `${cached}.${process.pid}`;
  writeFileSync(temporary, JSON.stringify(crdsParsed));
  renameSync(temporary, cached);
  return crdsParsed;
}

/** Creates each CRD and waits until the apiserver serves it (Established). */
async function installCrds(api: Api): Promise<string[]> {
  const list = crds();
  await Promise.all(
    list.map(async (crd) => {
      const { status, body } = await api('POST', crdPath, crd);
      if (status !== 201 && status !== 409)
        throw new Error(`bed argo: creating CRD ${crd.metadata.name} answered ${status} ${JSON.stringify(body)}`);
    }),
  );
  for (const crd of list) {
    for (let i = 0; ; i++) {
      const { body } = await api<CrdStatus>('GET', `${crdPath}/${crd.metadata.name}`);
      if (body.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True')) break;
      if (i > 600) throw new Error(`bed argo: CRD ${crd.metadata.name} was not Established after 30 s`);
      await delay(50);
    }
  }
  return list.map((c) => c.metadata.name);
}

export async function start(ctx: BedContext): Promise<PartHandle<ArgoPart>> {
  const k8s = ctx.started.k8s;
  if (!k8s) throw new Error("bed part 'argo' needs 'k8s': startBed(['k8s', 'argo'])");
  const bin = bedBinary('argo', 'rollouts-controller');
  const api = apiClient(k8s.server, k8s.token, k8s.caData);
  const installed = await installCrds(api);
  const [metricsPort, healthzPort] = await distinctPorts(2);
  let controller: ServerProcess | undefined;
  const logFile = join(ctx.logDir, 'rollouts-controller.log');
  controller = await startServer({
    name: 'rollouts-controller',
    command: bin,
    args: [
      `--kubeconfig=${k8s.kubeconfig}`,
      // One controller per bed: nothing to elect, and no Lease to wait for.
      '--leader-elect=false',
      `--metricsPort=${metricsPort}`,
      `--healthzPort=${healthzPort}`,
      '--loglevel=info',
      // The bed's apiserver serves the controller alone; the client's default 40/s would queue
      // a test's bursts of status writes.
      '--qps=200',
      '--burst=400',
    ],
    // Its own namespace (notification settings) need not exist; it only reads from it.
    env: { ...process.env, POD_NAMESPACE: 'argo-rollouts', GOGC: '400' },
    logDir: ctx.logDir,
    // Serving health comes first; the controller acts only once its informers have synced and it
    // logs "Started controller".
    ready: async () => readFileSync(logFile, 'utf8').includes('Started controller'),
  });
  const versionText = readFileSync(join(cacheDir, 'argo.stamp'), 'utf8').split(' ')[0] ?? '';
  return {
    part: { version: versionText, crds: installed, controllerLog: logFile },
    stop: async () => {
      await controller?.stop();
      controller = undefined;
    },
  };
}

async function distinctPorts(count: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < count) ports.add(await freePort());
  return [...ports];
}
