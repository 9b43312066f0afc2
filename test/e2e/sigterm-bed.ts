// What every SIGTERM case checks of a cancelled bundle: it failed, and said in one error line what
// state it left (the runner shows that line as the step's failure).
import type { ChildProcess } from 'node:child_process';
import { expect } from 'vitest';
import type { BundleRun } from './bundle-run.ts';

/** The run failed with exactly one `::error::<action>: …` line; returns it, decoded. */
export function expectOneStateLine(run: BundleRun, action: string): string {
  expect(run.status, run.log).toBe(1);
  const errors = run.stdout.split('\n').filter((l) => l.startsWith(`::error::${action}: `));
  expect(errors, run.log).toHaveLength(1);
  return decodeURIComponent(errors[0]!.replace(/%0A/g, ' '));
}

/** Sends `signal` to a started bundle once one of its stdout lines matches `phase`. */
export function signalAt(child: ChildProcess, phase: RegExp, signal: NodeJS.Signals): void {
  let partial = '';
  const onData = (chunk: Buffer): void => {
    partial += chunk.toString();
    const lines = partial.split('\n');
    partial = lines.pop() ?? '';
    if (!lines.some((line) => phase.test(line))) return;
    child.stdout?.off('data', onData);
    child.kill(signal);
  };
  child.stdout?.on('data', onData);
}
