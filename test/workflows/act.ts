// Running Expeditor's reusable workflows under act, in host mode, against the bed: a consumer
// repository (its own workflow, environment file and app) whose `uses: ORG/expeditor/...@v1` act
// serves from a copy of this checkout's workflows and committed action bundles.
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, readdirSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { actInvocation } from '../bed/tools.ts';
import { root } from '../e2e/deploy-ecs-bed.ts';
import type { DemoBed } from './demo.ts';

/** actions/checkout's pinned SHA in the workflows (act maps it to the bed's no-op when it would clone). */
export const CHECKOUT_SHA = '08c6903cd8c0fde910a37f88322edcfb5dd907a8';

/**
 * What `ORG/expeditor@v1` holds for act: the workflows and each action's action.yml and dist (no
 * sources, no node_modules: act copies the tree for every step that uses it). The actions come
 * from the last commit (a bundle is committed whole, while a working tree may hold one half
 * rebuilt); the workflows from the working tree. On a fresh clone (CI) the two are the same.
 * EXPEDITOR_RELEASE_BUNDLES=worktree takes the actions from the working tree too: a developer
 * trying bundles built locally and not committed yet.
 */
export function expeditorRelease(dir: string): string {
  mkdirSync(dir, { recursive: true });
  cpSync(join(root, '.github/workflows'), join(dir, '.github/workflows'), { recursive: true });
  const actions = readdirSync(join(root, 'actions')).filter((a) => existsSync(join(root, 'actions', a, 'action.yml')));
  if (process.env.EXPEDITOR_RELEASE_BUNDLES === 'worktree') {
    for (const a of actions) {
      for (const part of ['action.yml', 'dist']) cpSync(join(root, 'actions', a, part), join(dir, 'actions', a, part), { recursive: true });
    }
    return dir;
  }
  const paths = actions.flatMap((a) => [`actions/${a}/action.yml`, `actions/${a}/dist`]);
  const archive = spawnSync('git', ['archive', '--format=tar', 'HEAD', '--', ...paths], { cwd: root, maxBuffer: 1 << 30 });
  if (archive.status !== 0) throw new Error(`git archive: ${archive.stderr.toString()}`);
  const untar = spawnSync('tar', ['-x', '-C', dir], { input: archive.stdout });
  if (untar.status !== 0) throw new Error(`tar: ${untar.stderr.toString()}`);
  return dir;
}

const gitEnv = {
  ...process.env,
  GIT_AUTHOR_NAME: 'bed',
  GIT_AUTHOR_EMAIL: 'bed@invalid',
  GIT_COMMITTER_NAME: 'bed',
  GIT_COMMITTER_EMAIL: 'bed@invalid',
};

/** git in `cwd` as the bed's author; throws with its stderr when it fails. */
export function git(cwd: string, ...args: string[]): string {
  const result = spawnSync('git', args, { cwd, env: gitEnv, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`git ${args.join(' ')}: ${result.stderr}`);
  return result.stdout.trim();
}

/**
 * A consumer repository: the demo app (examples/app), the environment file and workflows, one
 * commit on main with origin github.com/acme/shop (act reads github.repository from it).
 * Returns its commit SHA.
 */
export function consumerRepo(dir: string, files: Record<string, string>): string {
  mkdirSync(dir, { recursive: true });
  cpSync(join(root, 'examples/app'), join(dir, 'app'), { recursive: true });
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  if (!existsSync(join(dir, '.git'))) {
    git(dir, 'init', '-q', '-b', 'main');
    git(dir, 'remote', 'add', 'origin', 'https://github.com/acme/shop.git');
  }
  git(dir, 'add', '-A');
  git(dir, 'commit', '-q', '--allow-empty', '-m', 'change');
  return git(dir, 'rev-parse', 'HEAD');
}

export interface ActRun {
  code: number;
  output: string;
  ms: number;
}

export interface ActOptions {
  repo: string;
  release: string;
  cacheDir: string;
  bed: DemoBed;
  event?: string;
  /** workflow_dispatch inputs. */
  inputs?: Record<string, string>;
  workflow?: string;
  /** More variables for every step (e.g. the registry's container settings). */
  env?: Record<string, string>;
}

// An act still running when the test process ends (a hang-guard timeout) is ended with it.
const running = new Set<import('node:child_process').ChildProcess>();
process.once('exit', () => {
  for (const child of running) {
    try {
      // act's own group: the steps it started go with it.
      if (child.pid) process.kill(-child.pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
  }
});

/** One act run of the consumer's workflow; resolves when act exits. */
export function runAct(options: ActOptions): Promise<ActRun> {
  const act = actInvocation({ cacheDir: options.cacheDir, checkoutRefs: [CHECKOUT_SHA] });
  const { bed } = options;
  const env: Record<string, string> = {
    // The job's OIDC token endpoint, as the runner provides it with id-token: write.
    ACTIONS_ID_TOKEN_REQUEST_URL: bed.oidc.requestUrl,
    ACTIONS_ID_TOKEN_REQUEST_TOKEN: bed.oidc.requestToken,
    GITHUB_API_URL: bed.github.apiUrl,
    AWS_ENDPOINT_URL: bed.moto.endpoint,
    AWS_REGION: bed.moto.region,
    AWS_EC2_METADATA_DISABLED: 'true',
    ...bed.registry.containerEnv,
    ...(options.env ?? {}),
  };
  const args = [
    ...act.args,
    '--local-repository',
    `ORG/expeditor@v1=${options.release}`,
    '--secret',
    `GITHUB_TOKEN=${bed.github.token}`,
    ...Object.entries(env).flatMap(([k, v]) => ['--env', `${k}=${v}`]),
    ...Object.entries(options.inputs ?? {}).flatMap(([k, v]) => ['--input', `${k}=${v}`]),
    ...(options.workflow ? ['-W', options.workflow] : []),
    options.event ?? 'push',
  ];
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(act.command, args, { cwd: options.repo, env: act.env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    running.add(child);
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      running.delete(child);
      // EXPEDITOR_ACT_LOG=dir keeps every run's whole output for reading after the test.
      const keep = process.env.EXPEDITOR_ACT_LOG;
      if (keep) writeFileSync(join(keep, `act-${Date.now()}-${options.workflow?.replace(/\W+/g, '_') ?? 'push'}.log`), output);
      resolve({ code: code ?? 1, output, ms: performance.now() - started });
    });
  });
}

/** The lines one step printed (act prefixes them `[job] | `). */
export function stepLines(output: string, job: string): string[] {
  return output.split('\n').filter((l) => l.includes(`/${job}]`) || l.startsWith(`[${job}]`));
}
