// What every SIGTERM case checks of a cancelled bundle: it failed, and said in one error line what
// state it left (the runner shows that line as the step's failure).
import { expect } from 'vitest';
import type { BundleRun } from './bundle-run.ts';

/** The run failed with exactly one `::error::<action>: …` line; returns it, decoded. */
export function expectOneStateLine(run: BundleRun, action: string): string {
  expect(run.status, run.log).toBe(1);
  const errors = run.stdout.split('\n').filter((l) => l.startsWith(`::error::${action}: `));
  expect(errors, run.log).toHaveLength(1);
  return decodeURIComponent(errors[0]!.replace(/%0A/g, ' '));
}
