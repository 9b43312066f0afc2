// The README's first command: `npm run sandbox` runs the whole pipeline on the bed and ends with
// a table in which dev, staging and prod each run the one image built, with the gate passed and a
// successful GitHub Deployment; everything it started is gone afterwards.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { root } from '../e2e/deploy-ecs-bed.ts';

function sandbox(): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(root, 'scripts/sandbox.ts')], {
      cwd: root,
      env: process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (output += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (output += c));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
  });
}

test('npm run sandbox: build once → dev → staging → prod, summaries, final table, torn down', async () => {
  const { code, output } = await sandbox();
  expect(code, output.slice(-6000)).toBe(0);
  const table = output.slice(output.indexOf('════ Expeditor sandbox: results'));
  const rows = Object.fromEntries(
    ['dev', 'staging', 'prod'].map((env) => [env, table.split('\n').find((l) => l.startsWith(`${env} `)) ?? '']),
  );
  expect(rows.dev).toMatch(/ecs rolling\s+sha256:[a-f0-9]{12}….*COMPLETED.*—\s+\d+ success/);
  expect(rows.staging).toMatch(/eks blue-green service\s+sha256:.*blue → green.*passed dev\s+\d+ success/);
  expect(rows.prod).toMatch(/ecs blue-green\s+sha256:.*traffic rerouted.*passed staging\s+\d+ success/);
  const digests = Object.values(rows).map((r) => /sha256:[a-f0-9]{12}/.exec(r)?.[0]);
  expect(new Set(digests).size).toBe(1);
  expect(output).toContain("environment 'staging' is protected on GitHub (required reviewers): auto-approved by the sandbox");
  // Each step's summary is printed, and the wall time per stage.
  for (const heading of ['## build-image', '### Deployment to staging recorded', '## assume-env: prod → account 333333333333'])
    expect(output).toContain(heading);
  for (const stage of ['set-up', 'build', 'dev', 'staging', 'prod', 'total']) expect(table).toMatch(new RegExp(`^${stage}\\s+\\d`, 'm'));
  expect(output).toMatch(/bed stopped and removed in/);
}, 600_000);
