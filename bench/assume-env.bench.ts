// assume-env on the bed (local OIDC issuer + moto STS with trust-policy checks), spawned as the
// runner spawns it:
//  - spawn → exit with credentials exported (role trusts the token's sub),
//  - spawn → exit with AccessDenied reported (the token names another environment),
// with the number of AssumeRoleWithWebIdentity calls each made. Interleaved rounds, medians.
// EXPEDITOR_BENCH_PEER_ASSUME=/path/to/configure-aws-credentials/dist/index.js runs that action's
// bundle the same way beside ours (it retries AccessDenied up to 12 times with backoff: slow).
import { inputEnv } from '../packages/shared/src/inputs.ts';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startBed } from '../test/bed/index.ts';
import { githubOidcRole } from '../test/bed/aws-roles.ts';
import { kib, median, ms, printTable, runs } from './stats.ts';

const root = resolve(import.meta.dirname, '..');
const ours = join(root, 'actions', 'assume-env', 'dist', 'index.js');
const peer = process.env.EXPEDITOR_BENCH_PEER_ASSUME;
const n = runs(5);
const ACCOUNT = '111111111111';

const bed = await startBed(['oidc', 'moto']);
try {
  const role = await githubOidcRole(bed, { account: ACCOUNT, subject: { sub: 'repo:acme/shop:environment:prod' }, name: 'deploy' });
  const config = [
    'app: shop',
    'image: { repository: 123456789012.dkr.ecr.us-west-2.amazonaws.com/shop }',
    'environments:',
    `  prod: { aws: { account: "${ACCOUNT}", region: us-west-2, role: "${role}" } }`,
    '',
  ].join('\n');

  interface Scenario {
    name: string;
    bundle: string;
    inputs: Record<string, string>;
  }
  const scenarios: Scenario[] = [
    { name: 'assume-env (environment file)', bundle: ours, inputs: { environment: 'prod' } },
    { name: 'assume-env (explicit inputs)', bundle: ours, inputs: { 'role-arn': role, region: 'us-west-2' } },
  ];
  if (peer) {
    scenarios.push({
      name: 'configure-aws-credentials',
      bundle: peer,
      inputs: { 'role-to-assume': role, 'aws-region': 'us-west-2', audience: 'sts.amazonaws.com', 'sts-endpoint': bed.moto.endpoint },
    });
  }

  interface Outcome {
    ms: number;
    status: number | null;
    exported: boolean;
    stsCalls: number;
  }

  async function once(s: Scenario, environment: string): Promise<Outcome> {
    bed.oidc.setClaims({ environment });
    const dir = mkdtempSync(join(tmpdir(), 'bench-assume-'));
    mkdirSync(join(dir, '.github'));
    writeFileSync(join(dir, '.github', 'expeditor.yml'), config);
    for (const f of ['env', 'output', 'summary.md']) writeFileSync(join(dir, f), '');
    const since = Date.now();
    const start = performance.now();
    // Asynchronous spawn: the OIDC issuer answers from this process.
    const status = await new Promise<number | null>((done) => {
      const child = spawn(process.execPath, [s.bundle], {
        cwd: dir,
        stdio: 'ignore',
        env: {
          PATH: process.env.PATH,
          HOME: dir,
          GITHUB_WORKSPACE: dir,
          GITHUB_REPOSITORY: 'acme/shop',
          GITHUB_RUN_ID: '3000003',
          // configure-aws-credentials refuses to run without these (it tags sessions with them).
          GITHUB_WORKFLOW: 'delivery',
          GITHUB_ACTION: 'assume',
          GITHUB_ACTOR: 'octocat',
          GITHUB_SHA: 'b3f2c1d0e9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4',
          GITHUB_ENV: join(dir, 'env'),
          GITHUB_OUTPUT: join(dir, 'output'),
          GITHUB_STEP_SUMMARY: join(dir, 'summary.md'),
          ACTIONS_ID_TOKEN_REQUEST_URL: bed.oidc.requestUrl,
          ACTIONS_ID_TOKEN_REQUEST_TOKEN: bed.oidc.requestToken,
          AWS_ENDPOINT_URL: bed.moto.endpoint,
          AWS_EC2_METADATA_DISABLED: 'true',
          ...inputEnv(s.inputs),
        },
      });
      child.on('close', done);
    });
    const elapsed = performance.now() - start;
    const calls = await bed.moto.control<{ counts: Record<string, number> }>('calls', { action: 'AssumeRoleWithWebIdentity', since });
    return {
      ms: elapsed,
      status,
      exported: readFileSync(join(dir, 'env'), 'utf8').includes('AWS_SECRET_ACCESS_KEY'),
      stsCalls: calls.counts.AssumeRoleWithWebIdentity ?? 0,
    };
  }

  const results = new Map(scenarios.map((s) => [s.name, { ok: [] as Outcome[], denied: [] as Outcome[] }]));
  for (let i = 0; i < n; i++) {
    for (const s of scenarios) {
      const r = results.get(s.name)!;
      r.ok.push(await once(s, 'prod'));
      r.denied.push(await once(s, 'staging'));
    }
  }

  const rows = scenarios.map((s) => {
    const r = results.get(s.name)!;
    const okRuns = r.ok.filter((o) => o.status === 0 && o.exported);
    const deniedRuns = r.denied.filter((o) => o.status !== 0 && !o.exported);
    return [
      s.name,
      kib(statSync(s.bundle).size),
      okRuns.length === r.ok.length ? ms(median(okRuns.map((o) => o.ms))) : `${r.ok.length - okRuns.length} of ${r.ok.length} failed`,
      deniedRuns.length === r.denied.length
        ? ms(median(deniedRuns.map((o) => o.ms)))
        : `${r.denied.length - deniedRuns.length} of ${r.denied.length} exported`,
      String(median(r.denied.map((o) => o.stsCalls))),
    ];
  });
  printTable(
    `assume-env on the bed (median of ${n} interleaved runs, node ${process.version})`,
    ['bundle', 'entry size', 'spawn → credentials exported', 'spawn → AccessDenied reported', 'STS calls on AccessDenied'],
    rows,
  );
} finally {
  await bed.stop();
}
