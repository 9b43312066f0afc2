// A signal that arrives after an action has reported its failure (the runner's SIGTERM after its
// SIGINT, while a socket still holds the process) must not turn exit code 1 into death by signal:
// the runner would then show a killed step instead of the failure line.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const fixture = join(import.meta.dirname, 'fixtures', 'late-signal-action.ts');

function runThenSignal(signal: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [fixture], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let sent = false;
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      // Sent once the run is over (its last line, after the failure is reported and the run's
      // signal handlers are gone): only the timer holds the process.
      if (!sent && stdout.includes('::debug::late-signal finished in')) {
        sent = true;
        child.kill(signal);
      }
    });
    child.on('error', reject);
    child.on('exit', (code, killedBy) => resolve({ code, signal: killedBy, stdout }));
  });
}

describe('a signal after the failure was reported', () => {
  it.each(['SIGTERM', 'SIGINT'] as const)('%s ends the process with exit code 1, not killed by the signal', async (signal) => {
    const run = await runThenSignal(signal);
    expect(run.stdout).toContain('failed on purpose');
    expect(run).toMatchObject({ code: 1, signal: null });
  });
});
