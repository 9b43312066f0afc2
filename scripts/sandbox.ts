// The local sandbox: the whole pipeline — build once → dev → staging → prod — on the test bed,
// through the same core functions each action's main.ts calls (inputs read by the same input
// layer from INPUT_* values, the same plans, clients, waits and step summaries).
//
//   npm run sandbox              run it, print each step's summary and a final table, tear down
//   npm run sandbox -- --keep    leave the bed running afterwards (until Ctrl-C) to look around
//
// The bed: moto (one AWS account per environment, each with GitHub's OIDC provider and a deploy
// role), a local OIDC issuer, a registry with buildah, Kubernetes (staging's EKS cluster leads to
// it) and a GitHub API that checks every request against GitHub's REST description.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ActionInputs, inputEnv, type Env } from '../packages/shared/src/inputs.ts';
import { readGitHubContext, type GitHubContext } from '../packages/shared/src/context.ts';
import { consoleLog, type Log } from '../packages/shared/src/log.ts';
import { formatFailure } from '../packages/shared/src/errors.ts';
import { formatDuration } from '../packages/shared/src/deadline.ts';
import { startBed, type Bed } from '../test/bed/index.ts';
import { setUpDemo, type Demo } from '../test/workflows/demo.ts';
import { readRecordInputs } from '../actions/deployment-record/src/inputs.ts';
import type { RecordOutputs } from '../actions/deployment-record/src/record.ts';
import { runRecordAction } from '../actions/deployment-record/src/action.ts';
import { readAssumeEnvInputs } from '../actions/assume-env/src/inputs.ts';
import { assumeEnv } from '../actions/assume-env/src/action.ts';
import { stsFactory } from '../actions/assume-env/src/sts-client.ts';
import { readBuildImageInputs } from '../actions/build-image/src/inputs.ts';
import { runBuildImage } from '../actions/build-image/src/action.ts';
import { readDeployEcsInputs } from '../actions/deploy-ecs/src/inputs.ts';
import { readDeployEksInputs } from '../actions/deploy-eks/src/inputs.ts';
import { readKubeRunnerContext } from '@expeditor/kube/runner';
import { readSwitchInputs, resolvePlatform } from '../actions/bluegreen-switch/src/inputs.ts';
import { readEcsSwitchInputs } from '../actions/bluegreen-switch/src/ecs/inputs.ts';
import { readEksSwitchInputs } from '../actions/bluegreen-switch/src/eks/inputs.ts';

const root = resolve(import.meta.dirname, '..');
const keep = process.argv.includes('--keep');
const out = (line = ''): void => void process.stdout.write(`${line}\n`);
const ms = (n: number): string => formatDuration(n);

type Stage = 'set-up' | 'build' | 'dev' | 'staging' | 'prod';
interface StepRecord {
  stage: Stage;
  name: string;
  ms: number;
  ok: boolean;
}
const steps: StepRecord[] = [];
const stageMs: Partial<Record<Stage, number>> = {};
interface EnvResult {
  environment: string;
  platform: string;
  image: string;
  colors: string;
  deployment: string;
  gate: string;
}
const results: EnvResult[] = [];

if (!process.versions.node.startsWith('24.')) {
  out(`The sandbox runs on Node 24 (the Actions runtime); this is ${process.version}. Use: npm run sandbox`);
  process.exit(1);
}

const wallStart = performance.now();
out('Expeditor sandbox: build once → dev → staging → prod, on the local test bed');
out();

// Installing is idempotent: on a warm machine it checks and returns; on a fresh one it shows progress.
await timedStage('set-up', async () => {
  const installStart = performance.now();
  out('▸ checking the bed parts (installs what is missing: moto, registry + buildah, Kubernetes)');
  const install = spawnSync('bash', [join(root, 'test/bed/install.sh'), 'moto', 'registry', 'k8s'], { stdio: 'inherit' });
  if (install.status !== 0) throw new Error('installing the bed failed (see above)');
  steps.push({ stage: 'set-up', name: 'bed parts installed', ms: performance.now() - installStart, ok: true });
});

type SandboxBed = Bed<'oidc' | 'moto' | 'registry' | 'k8s' | 'github'>;
let bed: SandboxBed | undefined;
let failed = false;
try {
  let demo: Demo | undefined;
  await timedStage('set-up', async () => {
    const t = performance.now();
    out('▸ starting the bed: OIDC issuer, moto, registry, Kubernetes (+ EKS in moto), GitHub API');
    bed = await startBed(['oidc', 'moto', 'registry', 'k8s', 'github']);
    steps.push({ stage: 'set-up', name: 'bed started', ms: performance.now() - t, ok: true });
    out(
      `  Kubernetes ${bed.k8s.version} at ${bed.k8s.server}, moto at ${bed.moto.endpoint}, registry ${bed.registry.host}, GitHub API ${bed.github.apiUrl}`,
    );
    const t2 = performance.now();
    out("▸ creating the demo app's accounts, registry, clusters and services");
    demo = await setUpDemo(bed, { eks: true, log: (line) => out(`  ${line}`) });
    steps.push({ stage: 'set-up', name: 'accounts, clusters, services', ms: performance.now() - t2, ok: true });
  });
  if (!bed || !demo) throw new Error('the bed did not start');
  await pipeline(bed, demo);
} catch (error) {
  failed = true;
  out();
  out(`✗ the sandbox stopped: ${formatFailure(error)}`);
} finally {
  printTable();
  if (bed && keep && !failed) {
    out();
    out('--keep: the bed stays up until Ctrl-C.');
    out(`  kubeconfig       ${bed.k8s.kubeconfig}`);
    out(`  AWS (moto)       AWS_ENDPOINT_URL=${bed.moto.endpoint} (accounts 111111111111 dev, 222222222222 staging, 333333333333 prod)`);
    out(`  registry         ${bed.registry.url}`);
    out(
      `  GitHub API       ${bed.github.apiUrl}/repos/${bed.github.repository}/deployments (token: see GitHubPart; Authorization required)`,
    );
    await new Promise<void>((done) => {
      process.once('SIGINT', () => done());
      process.once('SIGTERM', () => done());
    });
  }
  if (bed) {
    const t = performance.now();
    await bed.stop();
    out(`bed stopped and removed in ${ms(performance.now() - t)}`);
  }
  process.exitCode = failed ? 1 : 0;
}

async function timedStage(stage: Stage, fn: () => Promise<void>): Promise<void> {
  const t = performance.now();
  try {
    await fn();
  } finally {
    stageMs[stage] = (stageMs[stage] ?? 0) + (performance.now() - t);
  }
}

async function pipeline(bed: SandboxBed, demo: Demo): Promise<void> {
  // The consumer's checkout: the sample app and its environment file, one commit on main.
  const workspace = mkdtempSync(join(tmpdir(), 'expeditor-sandbox-'));
  cpSync(join(root, 'examples/app'), join(workspace, 'app'), { recursive: true });
  mkdirSync(join(workspace, '.github'));
  writeFileSync(join(workspace, '.github/expeditor.yml'), demo.config);
  const gitEnv = {
    ...process.env,
    GIT_AUTHOR_NAME: 'sandbox',
    GIT_AUTHOR_EMAIL: 'sandbox@invalid',
    GIT_COMMITTER_NAME: 'sandbox',
    GIT_COMMITTER_EMAIL: 'sandbox@invalid',
  };
  for (const args of [
    ['init', '-q', '-b', 'main'],
    ['add', '-A'],
    ['commit', '-q', '-m', 'demo app'],
  ])
    spawnSync('git', args, { cwd: workspace, env: gitEnv });
  const sha = spawnSync('git', ['rev-parse', 'HEAD'], { cwd: workspace, encoding: 'utf8' }).stdout.trim();
  out();
  out(`environment file (${join(workspace, '.github/expeditor.yml')}):`);
  for (const line of demo.config.trimEnd().split('\n')) out(`  │ ${line}`);

  // What the runner gives every step of the run.
  const runner: Env = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    GITHUB_WORKSPACE: workspace,
    GITHUB_SHA: sha,
    GITHUB_REF: 'refs/heads/main',
    GITHUB_REPOSITORY: bed.github.repository,
    GITHUB_RUN_ID: '1',
    GITHUB_RUN_ATTEMPT: '1',
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_API_URL: bed.github.apiUrl,
    GITHUB_EVENT_NAME: 'push',
    GITHUB_ACTOR: 'sandbox',
    GITHUB_WORKFLOW: 'delivery',
    ACTIONS_ID_TOKEN_REQUEST_URL: bed.oidc.requestUrl,
    ACTIONS_ID_TOKEN_REQUEST_TOKEN: bed.oidc.requestToken,
    AWS_ENDPOINT_URL: bed.moto.endpoint,
    AWS_EC2_METADATA_DISABLED: 'true',
    ...bed.registry.containerEnv,
  };
  const summaries = mkdtempSync(join(tmpdir(), 'expeditor-sandbox-summaries-'));
  let counter = 0;

  interface StepContext {
    inputs: ActionInputs;
    env: Env;
    context: GitHubContext;
    run: { log: Log; signal: AbortSignal; startedAt: number; setDeadline(ms: number): void };
  }
  /** One action step as the runner runs it: INPUT_* values, the job's variables, a summary file. */
  async function step<T>(
    stage: Stage,
    name: string,
    inputs: Record<string, string>,
    jobEnv: Record<string, string>,
    body: (s: StepContext) => Promise<T>,
  ): Promise<T> {
    const summary = join(summaries, `${++counter}.md`);
    writeFileSync(summary, '');
    const env: Env = { ...runner, ...jobEnv, GITHUB_STEP_SUMMARY: summary };
    // The AWS SDK's default chain reads credentials and region from the process, as in a step.
    for (const key of [
      'AWS_ACCESS_KEY_ID',
      'AWS_SECRET_ACCESS_KEY',
      'AWS_SESSION_TOKEN',
      'AWS_REGION',
      'AWS_DEFAULT_REGION',
      'AWS_ENDPOINT_URL',
      'AWS_EC2_METADATA_DISABLED',
    ]) {
      if (env[key] === undefined) delete process.env[key];
      else process.env[key] = env[key];
    }
    const controller = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const run = {
      log: consoleLog((text) => process.stdout.write(`  │ ${text}`)),
      signal: controller.signal,
      startedAt: Date.now(),
      setDeadline(timeoutMs: number) {
        if (timer) clearTimeout(timer);
        timer = setTimeout(() => controller.abort(new Error(`${name}: deadline of ${ms(timeoutMs)} ran out`)), timeoutMs);
      },
    };
    const onInterrupt = (): void => controller.abort(new Error('interrupted'));
    process.once('SIGINT', onInterrupt);
    out();
    out(`▶ ${stage} · ${name}`);
    const t = performance.now();
    let ok = false;
    try {
      const result = await body({ inputs: new ActionInputs(inputEnv(inputs)), env, context: readGitHubContext(env), run });
      ok = true;
      return result;
    } finally {
      if (timer) clearTimeout(timer);
      process.off('SIGINT', onInterrupt);
      const took = performance.now() - t;
      steps.push({ stage, name, ms: took, ok });
      const text = readFileSync(summary, 'utf8').trim();
      out(`${ok ? '✓' : '✗'} ${name} — ${ms(took)}`);
      if (text) {
        out('  step summary:');
        for (const line of text.split('\n')) out(`  ┆ ${line}`);
      }
    }
  }

  // ── build once ─────────────────────────────────────────────────────────────────────────────
  let image = '';
  await timedStage('build', async () => {
    const built = await step('build', 'build-image', { context: 'app', 'build-args': `BASE=${bed.registry.baseImage}` }, {}, async (s) => {
      const inputs = readBuildImageInputs(s.inputs, s.context);
      s.run.setDeadline(inputs.timeoutMs);
      return runBuildImage(inputs, s.context, s.env, s.run, async () => {
        throw new Error('the sandbox registry is not ECR');
      });
    });
    image = built.image;
  });

  // ── each environment, as deploy.yml runs it ────────────────────────────────────────────────
  for (const environment of ['dev', 'staging', 'prod'] as const) {
    await timedStage(environment, async () => {
      // GitHub puts the job's environment in its OIDC token (sub = repo:…:environment:<name>).
      bed.oidc.setClaims({ environment });
      const job: Record<string, string> = {};
      const token = bed.github.token;
      const record = await step(
        environment,
        'deployment-record start (promotion gate + GitHub Deployment)',
        { mode: 'start', environment, image, token },
        job,
        (s) => runRecordAction(readRecordInputs(s.inputs), s.env, s.run),
      );
      if (environment !== 'dev') {
        out();
        out(`⏸ environment '${environment}' is protected on GitHub (required reviewers): auto-approved by the sandbox`);
      }
      let colors = '';
      let ok = false;
      try {
        await step(environment, 'assume-env', { environment }, job, async (s) => {
          const inputs = readAssumeEnvInputs(s.inputs);
          s.run.setDeadline(inputs.timeoutMs);
          return assumeEnv(inputs, {
            context: s.context,
            log: s.run.log,
            signal: s.run.signal,
            sts: stsFactory(),
            variables: {
              exportVariable: (k: string, v: string) => {
                job[k] = v;
              },
            },
          });
        });
        colors = await deploy(environment, record, job);
        ok = true;
      } finally {
        await step(
          environment,
          `deployment-record finish (${ok ? 'success' : 'failure'})`,
          { mode: 'finish', environment, 'deployment-id': record['deployment-id'] ?? '', state: ok ? 'success' : 'failure', token },
          job,
          (s) => runRecordAction(readRecordInputs(s.inputs), s.env, s.run),
        );
        results.push({
          environment,
          platform: [record.platform, record.strategy, record.route].filter(Boolean).join(' '),
          image,
          colors,
          deployment: `${record['deployment-id']} ${ok ? 'success' : 'failure'}`,
          gate: record['promote-from'] ? `passed ${record['promote-from']}` : '—',
        });
      }
    });
  }

  async function deploy(environment: string, record: RecordOutputs, job: Record<string, string>): Promise<string> {
    let ecsDeploymentId = '';
    let target = '';
    let colors = '';
    if (record.platform === 'ecs') {
      const inputs = {
        image,
        environment,
        'require-digest': 'true',
        ...(record['wait-until'] ? { 'wait-until': record['wait-until'] } : {}),
      };
      const result = await step(environment as Stage, 'deploy-ecs', inputs, job, async (s) => {
        const read = readDeployEcsInputs(s.inputs);
        s.run.setDeadline(read.timeoutMs);
        const { runDeployEcs } = await import('../actions/deploy-ecs/src/action.ts');
        return runDeployEcs(read, s.context, s.run);
      });
      ecsDeploymentId = result.deploymentId;
      const revision = (arn: string | undefined): string => arn?.split('/').pop() ?? '?';
      colors = `${revision(result.previousTaskDefinitionArn)} → ${revision(result.taskDefinitionArn)} (${result.status})`;
    } else if (record.platform === 'eks') {
      const result = await step(environment as Stage, 'deploy-eks', { image, environment, 'require-digest': 'true' }, job, async (s) => {
        const read = readDeployEksInputs(s.inputs);
        s.run.setDeadline(read.timeoutMs);
        const { runDeployEks } = await import('../actions/deploy-eks/src/action.ts');
        const r = await runDeployEks(read, s.context, readKubeRunnerContext(s.env), s.run);
        if (r.failure) throw r.failure;
        return r;
      });
      const first = result.results[0];
      target = first?.target ?? '';
      colors = `${first?.live || 'none'} live, ${target} up`;
    }
    if (record.strategy === 'blue-green' && (record.platform === 'eks' || colors.includes('(Ready)'))) {
      const switched = await step(
        environment as Stage,
        'bluegreen-switch',
        {
          platform: record.platform ?? '',
          environment,
          ...(ecsDeploymentId ? { 'deployment-id': ecsDeploymentId } : {}),
          ...(target ? { 'target-color': target } : {}),
        },
        job,
        async (s) => {
          const options = readSwitchInputs(s.inputs);
          s.run.setDeadline(options.timeoutMs);
          if ((await resolvePlatform(options, s.context.workspace)) === 'eks') {
            const { runEksSwitch } = await import('../actions/bluegreen-switch/src/eks/action.ts');
            const r = await runEksSwitch(options, readEksSwitchInputs(s.inputs, s.env), s.context, s.run);
            return { from: r.from, to: r.to, convergenceMs: r.convergenceMs };
          }
          const { runEcsSwitch } = await import('../actions/bluegreen-switch/src/ecs/action.ts');
          const r = await runEcsSwitch(options, readEcsSwitchInputs(s.inputs), s.context, s.run);
          return { from: r.from, to: r.to, convergenceMs: r.convergenceMs };
        },
      );
      const shortTd = (x: string | undefined): string => x?.split('/').pop() ?? '?';
      colors =
        record.platform === 'eks'
          ? `${switched.from || 'none'} → ${switched.to}${switched.convergenceMs !== undefined ? ` (endpoints in ${ms(switched.convergenceMs)})` : ''}`
          : `${shortTd(switched.from)} → ${shortTd(switched.to)} (traffic rerouted)`;
    }
    return colors;
  }
}

function printTable(): void {
  const wall = performance.now() - wallStart;
  out();
  out('════ Expeditor sandbox: results ════');
  if (results.length > 0) {
    const rows = results.map((r) => [
      r.environment,
      r.platform,
      `${r.image.slice(r.image.indexOf('@') + 1, r.image.indexOf('@') + 20)}…`,
      r.colors,
      r.gate,
      r.deployment,
    ]);
    table(['environment', 'platform', 'digest', 'colors / revision', 'promotion gate', 'GitHub Deployment'], rows);
    out(`image: ${results[0]?.image}`);
    out();
  }
  table(
    ['stage', 'step', 'took'],
    steps.map((s) => [s.stage, `${s.ok ? '' : '✗ '}${s.name}`, ms(s.ms)]),
  );
  out();
  table(
    ['stage', 'wall time'],
    [...(Object.entries(stageMs) as [Stage, number][]).map(([stage, t]) => [stage, ms(t)]), ['total', ms(wall)]],
  );
}

function table(columns: string[], rows: string[][]): void {
  const widths = columns.map((c, i) => Math.max(c.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]): string => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ');
  out(line(columns));
  out(widths.map((w) => '─'.repeat(w)).join('  '));
  for (const row of rows) out(line(row));
}
