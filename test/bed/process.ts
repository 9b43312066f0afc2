// Starting and stopping the bed's server processes. Every server runs in its own process group
// so that stopping it also stops what it spawned, and every one still running when this process
// exits is killed, so no test leaves a process behind.
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';

export interface ServerProcess {
  readonly name: string;
  readonly pid: number;
  readonly logFile: string;
  /** The last lines the server printed, for error messages. */
  tail(lines?: number): string;
  stop(): Promise<void>;
}

export interface StartOptions {
  name: string;
  command: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  logDir: string;
  /** Resolves true once the server answers; polled until `readyTimeoutMs`. */
  ready: () => Promise<boolean>;
  readyTimeoutMs?: number;
}

const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) killGroup(child, 'SIGKILL');
});

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    /* already gone */
  }
}

export async function startServer(options: StartOptions): Promise<ServerProcess> {
  mkdirSync(options.logDir, { recursive: true });
  const logFile = join(options.logDir, `${options.name}.log`);
  const log = createWriteStream(logFile);
  const child = spawn(options.command, options.args, {
    cwd: options.cwd,
    env: options.env ?? process.env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  // Both streams feed one file: neither may end it (the other may still write); stop() ends it.
  child.stdout?.pipe(log, { end: false });
  child.stderr?.pipe(log, { end: false });
  let spawnError: Error | undefined;
  child.once('error', (error) => (spawnError = error));
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
  child.once('close', () => running.delete(child));

  const tail = (lines = 30): string => {
    try {
      return readFileSync(logFile, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
    } catch {
      return '';
    }
  };
  const stop = async (): Promise<void> => {
    killGroup(child, 'SIGTERM');
    const forced = setTimeout(() => killGroup(child, 'SIGKILL'), 5000);
    await exited;
    clearTimeout(forced);
    log.end();
  };

  const deadline = Date.now() + (options.readyTimeoutMs ?? 60_000);
  for (;;) {
    if (spawnError || child.exitCode !== null || child.signalCode !== null) {
      await stop();
      throw new Error(
        `bed server '${options.name}' exited before it was ready (${spawnError?.message ?? `code ${child.exitCode ?? child.signalCode}`}).\n` +
          `command: ${options.command} ${options.args.join(' ')}\nlast output:\n${tail()}`,
      );
    }
    if (await options.ready().catch(() => false)) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(
        `bed server '${options.name}' was not ready within ${options.readyTimeoutMs ?? 60_000} ms.\n` +
          `command: ${options.command} ${options.args.join(' ')}\nlast output:\n${tail()}`,
      );
    }
    await delay(100);
  }
  return { name: options.name, pid: child.pid!, logFile, tail, stop };
}

/** True when an HTTP GET of `url` answers with a status below 500. */
export async function httpAnswers(url: string, init?: RequestInit): Promise<boolean> {
  const response = await fetch(url, { ...init, signal: AbortSignal.timeout(2000) });
  await response.arrayBuffer();
  return response.status < 500;
}
