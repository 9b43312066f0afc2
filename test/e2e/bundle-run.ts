// A committed action bundle run as the runner runs it: `node dist/index.js` with the inputs as
// INPUT_* variables and fresh GITHUB_OUTPUT, GITHUB_ENV and GITHUB_STEP_SUMMARY files for the step,
// and what it printed, exported, output and summarised read back. Also a job workspace with an
// environment file, and a server that counts requests (for "refused before any network call").
import { inputEnv } from '../../packages/shared/src/inputs.ts';
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const root = resolve(import.meta.dirname, '../..');

/** INPUT_* variables from action input names, named as the runner names them. */
export { inputEnv };

/** `NAME<<delimiter\nvalue\ndelimiter` blocks, as @actions/core writes GITHUB_OUTPUT and GITHUB_ENV. */
export function parseFileCommands(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const re = /^([^\n<]+)<<(\S+)\n([\s\S]*?)\n\2$/gm;
  for (let m = re.exec(text); m; m = re.exec(text)) out[m[1]!] = m[3]!;
  return out;
}

/** Environment under which the AWS SDK finds no credentials but those a test passes: no instance metadata, no profile files. */
export function noAmbientAws(dir: string): Record<string, string> {
  return {
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_CONFIG_FILE: join(dir, 'no-aws-config'),
    AWS_SHARED_CREDENTIALS_FILE: join(dir, 'no-aws-credentials'),
  };
}

/** A job's workspace: a new directory with `.github/`, holding `.github/expeditor.yml` when `config` is given. */
export function jobWorkspace(config?: string, prefix = 'job-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  mkdirSync(join(dir, '.github'));
  if (config !== undefined) writeFileSync(join(dir, '.github', 'expeditor.yml'), config);
  return dir;
}

export interface BundleRunOptions {
  /** The job's workspace: the working directory and GITHUB_WORKSPACE (default: the step's own new directory). */
  workspace?: string;
  /** HOME (default: the workspace, so nothing of this machine's home is read). */
  home?: string;
  /** Sends SIGTERM once a stdout line satisfies this (a cancelled run). */
  signalAfter?: (line: string) => boolean;
}

export interface BundleRun {
  status: number | null;
  stdout: string;
  stderr: string;
  /** stdout and stderr together as they arrived, as the job's log shows them. */
  log: string;
  /** Epoch ms at which each stdout line arrived. */
  lines: { at: number; text: string }[];
  exitedAt: number;
  /** GITHUB_ENV and GITHUB_OUTPUT as written, and parsed. */
  envFile: string;
  outputFile: string;
  exported: Record<string, string>;
  outputs: Record<string, string>;
  summary: string;
}

/**
 * Starts a committed bundle: `action` is an action's name, or the path of another bundle's
 * index.js (a peer's). The environment: PATH, HOME, GITHUB_REPOSITORY acme/shop and GITHUB_RUN_ID
 * 42, then `env`, then GITHUB_WORKSPACE and the step's files, then the inputs.
 */
export function startBundle(
  action: string,
  inputs: Record<string, string>,
  env: Record<string, string> = {},
  options: BundleRunOptions = {},
): { child: ChildProcess; done: Promise<BundleRun> } {
  const entry = action.endsWith('.js') ? action : join(root, 'actions', action, 'dist', 'index.js');
  const step = mkdtempSync(join(tmpdir(), 'bundle-run-'));
  const workspace = options.workspace ?? step;
  const files = { output: join(step, 'output'), env: join(step, 'env'), summary: join(step, 'summary.md') };
  for (const file of Object.values(files)) writeFileSync(file, '');
  const child = spawn(process.execPath, [entry], {
    cwd: workspace,
    env: {
      PATH: process.env.PATH,
      HOME: options.home ?? workspace,
      GITHUB_REPOSITORY: 'acme/shop',
      GITHUB_RUN_ID: '42',
      // As on a runner: a temporary directory where earlier steps write files (a kubeconfig, say).
      RUNNER_TEMP: tmpdir(),
      ...env,
      // The step's own files, whatever `env` brought along (a copy of process.env may hold a runner's).
      GITHUB_WORKSPACE: workspace,
      GITHUB_OUTPUT: files.output,
      GITHUB_ENV: files.env,
      GITHUB_STEP_SUMMARY: files.summary,
      ...inputEnv(inputs),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  let log = '';
  let partial = '';
  const lines: { at: number; text: string }[] = [];
  let signalled = false;
  child.stdout.on('data', (chunk: Buffer) => {
    const at = Date.now();
    stdout += chunk.toString();
    log += chunk.toString();
    partial += chunk.toString();
    const parts = partial.split('\n');
    partial = parts.pop() ?? '';
    for (const text of parts) {
      lines.push({ at, text });
      if (!signalled && options.signalAfter?.(text)) {
        signalled = true;
        child.kill('SIGTERM');
      }
    }
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
    log += chunk.toString();
  });
  const done = new Promise<BundleRun>((resolveDone, fail) => {
    child.on('error', fail);
    child.on('close', (status) => {
      const exitedAt = Date.now();
      const envFile = readFileSync(files.env, 'utf8');
      const outputFile = readFileSync(files.output, 'utf8');
      resolveDone({
        status,
        stdout,
        stderr,
        log,
        lines,
        exitedAt,
        envFile,
        outputFile,
        exported: parseFileCommands(envFile),
        outputs: parseFileCommands(outputFile),
        summary: readFileSync(files.summary, 'utf8'),
      });
    });
  });
  return { child, done };
}

/** Runs a committed bundle to its end (see startBundle). */
export function runBundle(
  action: string,
  inputs: Record<string, string>,
  env: Record<string, string> = {},
  options: BundleRunOptions = {},
): Promise<BundleRun> {
  return startBundle(action, inputs, env, options).done;
}

export interface CountingServer {
  /** `http://127.0.0.1:PORT` */
  endpoint: string;
  port: number;
  /** Requests it has had so far. */
  requests(): number;
  close(): Promise<void>;
}

/** A local HTTP server that answers every request with 500 and counts them: point a run's endpoints here to show it called nothing. */
export async function countingServer(): Promise<CountingServer> {
  let requests = 0;
  const server = createServer((_req, res) => {
    requests++;
    res.writeHead(500).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    port,
    requests: () => requests,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
