// Bundle size and start-up overhead of each action, measured side by side in one run:
//  - spawn → exit on bad input (no inputs: the first missing input is reported),
//  - spawn → first HTTP request reaching a local server, for actions whose valid inputs make
//    them call one (AWS endpoint, OIDC token URL or apiserver all point at that server),
//  - `node -e 0` as the floor.
// Per bundle: the entry's size (dist/index.js, without the chunks it loads lazily), the whole
// dist/ directory's, both medians, and with a peer, each first-request median over the peer's.
// EXPEDITOR_BENCH_PEER=/path/to/other/dist/index.js (with EXPEDITOR_BENCH_PEER_INPUTS as JSON
// {"input-name": "value"}) measures another action's bundle the same way beside ours. Without
// EXPEDITOR_BENCH_PEER_INPUTS the peer's inputs are those of aws-actions/amazon-ecs-deploy-task-definition
// (its first request: ECS RegisterTaskDefinition, after reading the task definition file).
import { inputEnv } from '../packages/shared/src/inputs.ts';
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import { mkdirSync, mkdtempSync, readdirSync, statSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { kib, median, mb, ms, printTable, runs } from './stats.ts';

const root = resolve(import.meta.dirname, '..');
const n = runs();

/** Inputs that get each action past validation to its first request (extended as actions land). */
const validInputs: Record<string, Record<string, string>> = {
  // First request: the OIDC token (ACTIONS_ID_TOKEN_REQUEST_URL points at the local server).
  'assume-env': { 'role-arn': 'arn:aws:iam::123456789012:role/bench', region: 'us-west-2' },
  // First request: DescribeServices (AWS_ENDPOINT_URL points at the local server), sent signed
  // before the SDK loads (packages/aws/src/speculative.ts: keys and region in the environment).
  'deploy-ecs': { image: `127.0.0.1:5000/shop/app@sha256:${'0'.repeat(64)}`, cluster: 'bench', service: 'bench' },
  // First request: EKS DescribeCluster (AWS_ENDPOINT_URL); the EKS client loads first, client-node once it is written.
  'deploy-eks': { image: `127.0.0.1:5000/shop/app@sha256:${'0'.repeat(64)}`, services: 'shop', cluster: 'bench', region: 'us-west-2' },
  // First request: ECR GetAuthorizationToken (AWS_ENDPOINT_URL), after the Dockerfile check; the ECR client loads first.
  'build-image': { repository: '123456789012.dkr.ecr.us-west-2.amazonaws.com/bench', context: 'build-image' },
  // First request: CodeDeploy GetDeployment of the deployment held at Ready (AWS_ENDPOINT_URL).
  'bluegreen-switch': {
    platform: 'ecs',
    'deployment-id': 'd-BENCH0001',
    'codedeploy-application': 'bench',
    'codedeploy-deployment-group': 'bench',
  },
  // First request: the GitHub API (GITHUB_API_URL), creating the environment's Deployment.
  'deployment-record': {
    mode: 'start',
    environment: 'dev',
    image: `127.0.0.1:5000/shop/app@sha256:${'0'.repeat(64)}`,
    token: 'bench-token',
  },
};

/** aws-actions/amazon-ecs-deploy-task-definition's inputs, the default peer's. */
const peerTaskDefinitionInputs = {
  'task-definition': 'peer-task-definition.json',
  service: 'bench',
  cluster: 'bench',
  'wait-for-service-stability': 'true',
};

interface Target {
  name: string;
  bundle: string;
  firstRequestInputs?: Record<string, string>;
}

const targets: Target[] = readdirSync(join(root, 'actions'))
  .filter((a) => existsSync(join(root, 'actions', a, 'dist', 'index.js')))
  .map((a) => ({ name: a, bundle: join(root, 'actions', a, 'dist', 'index.js'), firstRequestInputs: validInputs[a] }));
// deploy-ecs as the peer is called: from a task definition file (the YAML parser and the schemas
// load before the first request; given only a cluster and a service, they do not).
const deployEcs = targets.find((t) => t.name === 'deploy-ecs');
if (deployEcs) {
  targets.push({
    name: 'deploy-ecs, task definition file',
    bundle: deployEcs.bundle,
    firstRequestInputs: { ...validInputs['deploy-ecs'], 'task-definition': peerTaskDefinitionInputs['task-definition'] },
  });
}
if (process.env.EXPEDITOR_BENCH_PEER) {
  targets.push({
    name: `peer: ${process.env.EXPEDITOR_BENCH_PEER}`,
    bundle: process.env.EXPEDITOR_BENCH_PEER,
    firstRequestInputs: process.env.EXPEDITOR_BENCH_PEER_INPUTS
      ? (JSON.parse(process.env.EXPEDITOR_BENCH_PEER_INPUTS) as Record<string, string>)
      : peerTaskDefinitionInputs,
  });
}

let firstRequestAt = 0;
const server = createServer((req, res) => {
  if (!firstRequestAt) firstRequestAt = performance.now();
  req.resume();
  res.writeHead(503, { 'content-type': 'application/json' }).end('{}');
});
await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
const address = server.address();
const endpoint = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
const work = mkdtempSync(join(tmpdir(), 'bench-startup-'));
writeFileSync(join(work, 'summary.md'), '');
// build-image reads its Dockerfile before any request.
mkdirSync(join(work, 'build-image'));
writeFileSync(join(work, 'build-image', 'Dockerfile'), 'FROM scratch\n');
// The default peer reads its task definition file before any request.
writeFileSync(
  join(work, peerTaskDefinitionInputs['task-definition']),
  JSON.stringify({ family: 'bench', containerDefinitions: [{ name: 'app', image: 'nginx', memory: 128 }] }),
);

/** Bytes of every file in the bundle's directory: the entry and the chunks it may load. */
function distBytes(bundle: string): number {
  const dir = dirname(bundle);
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((f) => statSync(join(dir, f)))
    .filter((s) => s.isFile())
    .reduce((n, s) => n + s.size, 0);
}

function baseEnv(inputs: Record<string, string>): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    GITHUB_WORKSPACE: work,
    GITHUB_STEP_SUMMARY: join(work, 'summary.md'),
    GITHUB_OUTPUT: join(work, 'output'),
    GITHUB_ENV: join(work, 'env'),
    GITHUB_REPOSITORY: 'org/app',
    GITHUB_RUN_ID: '1',
    GITHUB_SHA: 'a'.repeat(40),
    AWS_ENDPOINT_URL: endpoint,
    AWS_REGION: 'us-west-2',
    AWS_ACCESS_KEY_ID: 'AKIABENCH',
    AWS_SECRET_ACCESS_KEY: 'bench',
    ACTIONS_ID_TOKEN_REQUEST_URL: `${endpoint}/token?x=1`,
    ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'bench-token',
    GITHUB_API_URL: endpoint,
    GITHUB_SERVER_URL: 'https://github.com',
    ...inputEnv(inputs),
  };
}

/** Spawns, returns ms to exit and ms to the first request (if one came). */
function once(args: string[], env: NodeJS.ProcessEnv, stopAtFirstRequest: boolean): Promise<{ exit: number; request: number }> {
  return new Promise((done) => {
    firstRequestAt = 0;
    const start = performance.now();
    const child = spawn(process.execPath, args, { cwd: work, env, stdio: 'ignore' });
    let timer: NodeJS.Timeout | undefined;
    if (stopAtFirstRequest) {
      timer = setInterval(() => {
        if (firstRequestAt) child.kill('SIGKILL');
      }, 1);
    }
    child.on('exit', () => {
      if (timer) clearInterval(timer);
      done({ exit: performance.now() - start, request: firstRequestAt ? firstRequestAt - start : Number.NaN });
    });
  });
}

const rows: (string | number)[][] = [];
const floor: number[] = [];
const results = new Map<string, { bad: number[]; first: number[] }>();
for (const t of targets) results.set(t.name, { bad: [], first: [] });
// Interleaved: each round runs every target once, so machine noise hits all of them alike.
for (let i = 0; i < n; i++) {
  floor.push((await once(['-e', '0'], baseEnv({}), false)).exit);
  for (const t of targets) {
    const r = results.get(t.name)!;
    r.bad.push((await once([t.bundle], baseEnv({}), false)).exit);
    if (t.firstRequestInputs && Object.keys(t.firstRequestInputs).length) {
      r.first.push((await once([t.bundle], baseEnv(t.firstRequestInputs), true)).request);
    }
  }
}
const floorMs = median(floor);
const firstMedian = (t: Target): number => {
  const first = results.get(t.name)!.first.filter(Number.isFinite);
  return first.length ? median(first) : Number.NaN;
};
const peer = targets.find((t) => t.name.startsWith('peer: '));
const peerFirst = peer ? firstMedian(peer) : Number.NaN;
rows.push(['node -e 0', '—', '—', ms(floorMs), '1.00×', '—', '—']);
for (const t of targets) {
  const r = results.get(t.name)!;
  const bad = median(r.bad);
  const first = firstMedian(t);
  rows.push([
    t.name,
    kib(statSync(t.bundle).size),
    mb(distBytes(t.bundle)),
    ms(bad),
    `${(bad / floorMs).toFixed(2)}×`,
    r.first.length ? ms(first) : 'no valid-input scenario yet',
    Number.isFinite(first) && Number.isFinite(peerFirst) ? `${(first / peerFirst).toFixed(2)}×` : '—',
  ]);
}
printTable(
  `Start-up (median of ${n} interleaved runs, node ${process.version})`,
  ['bundle', 'entry', 'whole dist', 'spawn → bad-input exit', 'vs node -e 0', 'spawn → first request', 'first request vs peer'],
  rows,
);
server.close();
