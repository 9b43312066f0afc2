// The fault matrix at the edges the deploy scenarios (fault-scenarios.ts) do not cross: assume-env
// (the runner's OIDC token endpoint, then STS on moto), deployment-record (the bed's GitHub API
// server) and the registry client (the bed's distribution registry, with Basic auth). The fault
// proxy (fault-proxy.ts) sits in front of one server and strikes one call: its first request only
// (a fault the client should ride out: the run completes, in the same end state, with no duplicate),
// every request of it (the run must stop with an error that names the call), or an answer held
// past the run's deadline (the run must stop at its deadline, naming the call, not hang). Whatever
// the outcome, no secret (the OIDC request token and the token itself, AWS keys, the GitHub token,
// the registry password) may appear in what the run printed.
import { execFile } from 'node:child_process';
import type { AuthRegistry, GitHubPart, MotoPart, OidcPart, RegistryPart } from '../bed/types.ts';
import { memoryLog } from '../../packages/shared/src/log.ts';
import { RegistryClient } from '../../packages/registry/src/client.ts';
import { describeError } from '../../packages/shared/src/errors.ts';
import { createRunSignal } from '../../packages/shared/src/deadline.ts';
import { type BundleRun, runBundle } from './bundle-run.ts';
import { assumeEnvVia, awsOperation, exampleJob, prodJob } from './fault-scenarios.ts';
import { faultProxy, type FaultKind, type FaultPlan, type FaultProxy, type Flavor, type RequestInfo } from './fault-proxy.ts';

/** How a fault strikes the call: its first request, every request, or an answer held past the run's deadline. */
export type Strike = 'once' | 'always' | 'past-deadline';

export interface FaultCase {
  kind: FaultKind;
  strike: Strike;
}

/** The cases of the matrix: each transient fault once and always, and a slow answer past the deadline. */
export const faultCases: readonly FaultCase[] = [
  ...(['throttle', 'unavailable', 'reset-before', 'reset-after'] as const).flatMap((kind) =>
    (['once', 'always'] as const).map((strike) => ({ kind, strike })),
  ),
  { kind: 'slow', strike: 'past-deadline' },
];

/**
 * The suite's share of the matrix (bench/faults-clients.bench.ts runs all of it): every fault once,
 * the answer held past the deadline, and of the faults on every request the two whose ends differ
 * (a 503 stops naming the call; a lost answer every time finds its own landed write).
 */
export const suiteFaultCases: readonly FaultCase[] = faultCases.filter(
  (c) => c.strike !== 'always' || c.kind === 'unavailable' || c.kind === 'reset-after',
);

export interface EdgeOutcome {
  scenario: string;
  fault: string;
  /** The run did what it was asked. */
  completed: boolean;
  /** Writes repeated by a retry (a second GitHub Deployment, say). */
  duplicates: number;
  /** A completed run whose end state is not the one asked for. */
  wrongEnd: string | undefined;
  /** The run's failure, as it said it (one line); undefined when it completed. */
  error: string | undefined;
  /** Faults the proxy injected. */
  faults: number;
  /** Secrets found in what the run printed, by where. */
  leaked: string[];
  log: string;
}

/** The run's deadline for a past-deadline case, and how long the proxy holds the answer (far longer). */
export const deadline = { input: '4s', ms: 4_000, heldMs: 120_000 };

function planFor(c: FaultCase, target: (r: RequestInfo) => boolean): FaultPlan {
  let struck = false;
  return {
    rate: 0,
    seed: 19,
    slowMs: deadline.heldMs,
    pick: (r) => {
      if (!target(r)) return undefined;
      if (c.strike === 'once' && struck) return undefined;
      struck = true;
      return c.kind;
    },
  };
}

async function through<T>(
  upstream: string,
  flavor: Flavor,
  plan: FaultPlan,
  run: (proxy: FaultProxy) => Promise<T>,
): Promise<{ value: T; proxy: FaultProxy }> {
  const proxy = await faultProxy(upstream, flavor, plan);
  try {
    return { value: await run(proxy), proxy };
  } finally {
    await proxy.close();
  }
}

const JWT = /eyJ[\w-]+\.eyJ[\w-]+\.[\w-]+/;

/** Where any of `secrets` (or a JWT) shows in what a bundle printed, wrote to its summary or its outputs; mask commands aside. */
function leaksOf(r: BundleRun, secrets: readonly string[], outputs = true): string[] {
  const printed = {
    stdout: r.stdout
      .split('\n')
      .filter((l) => !l.startsWith('::add-mask::'))
      .join('\n'),
    stderr: r.stderr,
    summary: r.summary,
    ...(outputs ? { outputs: r.outputFile } : {}),
  };
  const found: string[] = [];
  for (const [where, text] of Object.entries(printed)) {
    if (JWT.test(text)) found.push(`a token in ${where}`);
    for (const secret of secrets) if (secret && text.includes(secret)) found.push(`a secret in ${where}`);
  }
  return found;
}

/** The run's one failure line, decoded (undefined when it succeeded). */
function failureOf(r: BundleRun, action: string): string | undefined {
  if (r.status === 0) return undefined;
  const line = r.stdout.split('\n').find((l) => l.startsWith(`::error::${action}: `) || l.startsWith('::error title='));
  return line ? decodeURIComponent(line.replace(/%0A/g, ' ')) : `exit ${r.status} with no error line`;
}

const label = (c: FaultCase): string => `${c.kind} ${c.strike}`;

// ---------------------------------------------------------------------------------------------
// assume-env: the OIDC token request, then sts:AssumeRoleWithWebIdentity (and GetCallerIdentity).

export type AssumeCall = 'oidc-token' | 'sts';

/** The call as the error must name it. */
export const assumeCallNamed: Record<AssumeCall, RegExp> = {
  'oidc-token': /GitHub OIDC token/,
  sts: /AssumeRoleWithWebIdentity/,
};

export async function assumeEnv(bed: { oidc: OidcPart; moto: MotoPart }, call: AssumeCall, c: FaultCase): Promise<EdgeOutcome> {
  const { account: PROD, dir } = await prodJob(bed, 'fault-assume-');
  const oidcPlan = call === 'oidc-token' ? planFor(c, (r) => r.path.includes('token')) : { rate: 0, seed: 1 };
  const stsPlan = call === 'sts' ? planFor(c, awsOperation('AssumeRoleWithWebIdentity')) : { rate: 0, seed: 1 };
  const { run: r, faults: injected } = await assumeEnvVia(
    bed,
    dir,
    { oidc: oidcPlan, sts: stsPlan },
    c.strike === 'past-deadline' ? { timeout: deadline.input } : {},
    { GITHUB_RUN_ID: '1919' },
  );
  const secrets = [bed.oidc.requestToken, r.exported.AWS_SECRET_ACCESS_KEY ?? '', r.exported.AWS_SESSION_TOKEN ?? ''];
  return {
    scenario: `assume-env ${call}`,
    fault: label(c),
    completed: r.status === 0,
    duplicates: 0,
    wrongEnd: r.status === 0 && r.outputs.account !== PROD ? `account ${r.outputs.account}` : undefined,
    error: failureOf(r, 'assume-env'),
    faults: injected,
    // GITHUB_ENV carries the credentials by design; the outputs carry none without output-credentials.
    leaked: leaksOf(r, secrets),
    log: r.log,
  };
}

// ---------------------------------------------------------------------------------------------
// deployment-record: start (POST a Deployment, POST its in_progress status) against the GitHub server.

export type RecordCall = 'create' | 'status';

export const recordCallNamed: Record<RecordCall, RegExp> = {
  create: /GitHub POST \/repos\/\{owner\}\/\{repo\}\/deployments\b(?!\/)/,
  status: /GitHub POST \/repos\/\{owner\}\/\{repo\}\/deployments\/\{deployment_id\}\/statuses/,
};

let images = 0;

export async function deploymentRecord(github: GitHubPart, call: RecordCall, c: FaultCase): Promise<EdgeOutcome> {
  const recordWorkspace = exampleJob();
  const image = `127.0.0.1:5000/demo-app@sha256:${(0xf19000 + ++images).toString(16).padStart(8, '0').repeat(8)}`;
  const target = (r: RequestInfo) =>
    r.method === 'POST' && (call === 'create' ? /\/deployments$/.test(r.path) : /\/deployments\/\d+\/statuses$/.test(r.path));
  const { value: r, proxy } = await through(github.apiUrl, 'github', planFor(c, target), (p) =>
    runBundle(
      'deployment-record',
      {
        token: github.token,
        mode: 'start',
        environment: 'dev',
        image,
        ...(c.strike === 'past-deadline' ? { timeout: deadline.input } : {}),
      },
      { ...github.env, GITHUB_API_URL: p.url, GITHUB_SHA: 'b'.repeat(40), HOME: process.env.HOME ?? '' },
      { workspace: recordWorkspace },
    ),
  );
  const ours = github.deployments('dev').filter((d) => (d.payload as { image?: string } | undefined)?.image === image);
  const statuses = ours.flatMap((d) => d.statuses.map((s) => s.state));
  return {
    scenario: `deployment-record ${call}`,
    fault: label(c),
    completed: r.status === 0,
    // A second Deployment of this image, or a second in_progress status of ours.
    duplicates: Math.max(0, ours.length - 1) + Math.max(0, statuses.length - ours.length),
    wrongEnd:
      r.status === 0 && (ours.length === 0 || String(ours.at(-1)?.id) !== r.outputs['deployment-id'] || statuses.at(-1) !== 'in_progress')
        ? `deployments ${ours.map((d) => `${d.id}: ${d.statuses.map((s) => s.state).join(',')}`).join('; ')}; output ${r.outputs['deployment-id']}`
        : undefined,
    error: failureOf(r, 'deployment-record'),
    faults: proxy.injected.length,
    leaked: leaksOf(r, [github.token]),
    log: r.log,
  };
}

// ---------------------------------------------------------------------------------------------
// The registry client (packages/registry, as deploy-eks resolves a tag and build-image tags again):
// HEAD of a manifest with Basic credentials, and a PUT of a tag, against the bed's registry.

export type RegistryCall = 'head' | 'tag';

export const registryCallNamed: Record<RegistryCall, RegExp> = {
  head: /(HEAD|GET) \S*\/v2\/faults\/app\/manifests\/v1/,
  tag: /(PUT|GET) \S*\/v2\/faults\/app\/manifests\//,
};

let authRegistry: Promise<{ auth: AuthRegistry; digest: string }> | undefined;

function skopeo(registry: RegistryPart, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile('skopeo', args, { env: { ...process.env, ...registry.containerEnv } }, (error, _out, stderr) =>
      error ? reject(new Error(`skopeo ${args.join(' ')}: ${stderr}`)) : resolve(),
    );
  });
}

/** A registry with Basic auth holding faults/app:v1 (the bed's base image); its manifest digest. */
function pushed(registry: RegistryPart): Promise<{ auth: AuthRegistry; digest: string }> {
  authRegistry ??= (async () => {
    const auth = await registry.startAuthenticated();
    const creds = `${auth.username}:${auth.password}`;
    await skopeo(registry, [
      'copy',
      '--quiet',
      '--dest-creds',
      creds,
      `docker://${registry.baseImage}`,
      `docker://${auth.host}/faults/app:v1`,
    ]);
    const head = await fetch(`${auth.url}/v2/faults/app/manifests/v1`, {
      method: 'HEAD',
      headers: {
        Accept: 'application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json',
        Authorization: `Basic ${Buffer.from(creds).toString('base64')}`,
      },
    });
    return { auth, digest: head.headers.get('docker-content-digest') ?? '' };
  })();
  return authRegistry;
}

let tags = 0;

export async function registryClient(registry: RegistryPart, call: RegistryCall, c: FaultCase): Promise<EdgeOutcome> {
  const { auth, digest } = await pushed(registry);
  const tag = `t${process.pid}-${++tags}`;
  const target = (r: RequestInfo) => (call === 'head' ? r.method === 'HEAD' : r.method === 'PUT');
  const log = memoryLog();
  const { value, proxy } = await through(auth.url, 'registry', planFor(c, target), async (p) => {
    // The run's signal as an action makes it: its deadline's reason is a DeadlineError.
    const run = createRunSignal({ timeoutMs: c.strike === 'past-deadline' ? deadline.ms : 60_000, processSignals: false });
    const client = new RegistryClient({
      host: p.url.replace('http://', ''),
      credentials: { username: auth.username, password: auth.password, source: "input 'registry-password'" },
      log,
      signal: run.signal,
    });
    try {
      if (call === 'head') {
        const found = await client.headManifest('faults/app', 'v1');
        return { ok: true, wrong: found?.digest === digest ? undefined : `digest ${found?.digest}, not ${digest}` };
      }
      await client.tagManifest('faults/app', digest, tag);
      return { ok: true, wrong: undefined };
    } catch (error) {
      return { ok: false, error: describeError(error), wrong: undefined };
    } finally {
      run.dispose();
    }
  });
  let wrong = value.wrong;
  if (value.ok && call === 'tag') {
    const answer = await fetch(`${auth.url}/v2/faults/app/manifests/${tag}`, {
      method: 'HEAD',
      headers: {
        Accept: 'application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json',
        Authorization: `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}`,
      },
    });
    if (answer.headers.get('docker-content-digest') !== digest) wrong = `tag ${tag} names ${answer.headers.get('docker-content-digest')}`;
  }
  const said = [...log.lines.filter((l) => !l.startsWith('::add-mask::')), 'error' in value ? (value.error ?? '') : ''].join('\n');
  const basic = Buffer.from(`${auth.username}:${auth.password}`).toString('base64');
  return {
    scenario: `registry client ${call}`,
    fault: label(c),
    completed: value.ok,
    duplicates: 0,
    wrongEnd: wrong,
    error: 'error' in value ? value.error : undefined,
    faults: proxy.injected.length,
    leaked: [auth.password, basic].filter((s) => said.includes(s)).map(() => 'a secret in the log or error'),
    log: said,
  };
}

/** One line per outcome, as the matrix prints them. */
export function matrixTable(outcomes: readonly EdgeOutcome[]): string {
  const rows = outcomes.map(
    (o) =>
      `| ${o.scenario} | ${o.fault} | ${o.faults} | ${o.completed ? 'completed' : 'stopped'} | ${o.duplicates} | ${o.wrongEnd ?? ''} | ${o.leaked.length} | ${(o.error ?? '').slice(0, 140).replace(/\|/g, '\\|')} |`,
  );
  return ['| call | fault | injected | end | duplicates | wrong end | leaks | error |', '|---|---|---|---|---|---|---|---|', ...rows].join(
    '\n',
  );
}
