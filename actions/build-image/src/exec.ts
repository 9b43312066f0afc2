// Runs a builder command: its output streamed line by line to the log, the last lines kept for
// the error when it fails, its environment given by the caller (never this process's own).
import { spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import type { Env } from '@expeditor/shared/inputs';

export interface ExecOptions {
  env: Env;
  cwd?: string;
  signal?: AbortSignal | undefined;
  /** Written to stdin, then closed (passwords go here, never on the command line). */
  stdin?: string;
  /** Each line of stdout and stderr, as it comes. */
  onLine?: (line: string) => void;
  /** How many last lines to keep (default 40). */
  tailLines?: number;
}

export interface ExecResult {
  code: number;
  /** The last lines of stdout and stderr together. */
  tail: string[];
  stdout: string;
}

export function exec(command: string, args: readonly string[], options: ExecOptions): Promise<ExecResult> {
  const keep = options.tailLines ?? 40;
  return new Promise((resolve, reject) => {
    // A group of its own: a stop ends the builder and whatever it started (a RUN step's
    // processes, buildx's helpers), never leaving them running after the step.
    const child = spawn(command, args, {
      env: options.env as NodeJS.ProcessEnv,
      cwd: options.cwd,
      stdio: ['pipe', 'pipe', 'pipe'],
      detached: true,
    });
    const killGroup = (signal: NodeJS.Signals): void => {
      try {
        if (child.pid) process.kill(-child.pid, signal);
      } catch {
        /* already gone */
      }
    };
    let forced: NodeJS.Timeout | undefined;
    const stop = (): void => {
      killGroup('SIGTERM');
      // Short of the runner's kill: what ignores SIGTERM is killed.
      forced = setTimeout(() => killGroup('SIGKILL'), 4_000);
    };
    if (options.signal?.aborted) stop();
    else options.signal?.addEventListener('abort', stop, { once: true });
    const tail: string[] = [];
    let stdout = '';
    const lines = (stream: NodeJS.ReadableStream, isStdout: boolean): void => {
      let rest = '';
      stream.setEncoding('utf8');
      stream.on('data', (chunk: string) => {
        if (isStdout && stdout.length < 1 << 20) stdout += chunk;
        const parts = (rest + chunk).split(/\r?\n|\r/);
        rest = parts.pop() ?? '';
        for (const line of parts) push(line);
      });
      stream.on('end', () => {
        if (rest) push(rest);
      });
    };
    const push = (line: string): void => {
      tail.push(line);
      if (tail.length > keep) tail.shift();
      options.onLine?.(line);
    };
    if (child.stdout) lines(child.stdout, true);
    if (child.stderr) lines(child.stderr, false);
    child.stdin?.on('error', () => undefined);
    child.stdin?.end(options.stdin ?? '');
    child.once('error', (error) => {
      if (options.signal?.aborted) reject(options.signal.reason as Error);
      else reject(error);
    });
    child.once('close', (code, signal) => {
      options.signal?.removeEventListener('abort', stop);
      clearTimeout(forced);
      // The builder is gone; anything of its group still there (holding no pipe) goes with it.
      if (options.signal?.aborted) killGroup('SIGKILL');
      if (options.signal?.aborted) reject(options.signal.reason as Error);
      else resolve({ code: code ?? (signal ? 128 : 1), tail, stdout });
    });
  });
}

/** The full path of `name` on the PATH of `env`, or undefined. */
export function findOnPath(name: string, env: Env): string | undefined {
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const path = join(dir, name);
    try {
      accessSync(path, constants.X_OK);
      return path;
    } catch {
      /* next */
    }
  }
  return undefined;
}
