// SIGTERM (a cancelled workflow run) at the phases of assume-env, build-image and
// deployment-record with a distinct end state, through the bundles on the bed. A phase is caught
// by a server of the test's in front of the bed's (the OIDC issuer, moto's STS, the GitHub API):
// it sends the signal as the request of that phase arrives and holds it (or answers it only after
// the signal), or by the bundle's own log line (build-image's RUN step, its push). Each case reads
// the end state back against docs/cancellation.md and the run's one error line.
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { githubOidcRole } from '../bed/aws-roles.ts';
import { useBed } from '../bed/vitest.ts';
import { jobWorkspace, noAmbientAws, root, startBundle, type BundleRun } from './bundle-run.ts';
import { shaOf } from './build-image-bed.ts';
import { expectOneStateLine } from './sigterm-bed.ts';

const bed = useBed(['oidc', 'moto', 'registry', 'github']);

/**
 * A server in front of `target`: requests pass through, except the first one `when` matches: that
 * one sends the bundle SIGTERM as it arrives and then is held unanswered (`hold`), or is forwarded
 * and answered only after the signal (`after`), so the run sees the write's answer once cancelled.
 */
interface Gate {
  url: string;
  child?: ChildProcess;
  fired(): boolean;
  close(): Promise<void>;
}

async function gate(target: string, when: (req: IncomingMessage, body: string) => boolean, mode: 'hold' | 'after'): Promise<Gate> {
  let fired = false;
  const held: (() => void)[] = [];
  const state: Gate = {
    url: '',
    fired: () => fired,
    close: () =>
      new Promise<void>((r) => {
        for (const release of held) release();
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const body = Buffer.concat(chunks).toString();
      const match = !fired && when(req, body);
      if (match) fired = true;
      if (match && mode === 'hold') {
        state.child?.kill('SIGTERM');
        held.push(() => res.destroy());
        return;
      }
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(req.headers)) {
        if (typeof value === 'string' && !['host', 'content-length', 'connection'].includes(name)) headers[name] = value;
      }
      const answer = await fetch(`${target}${req.url}`, {
        method: req.method,
        headers,
        ...(req.method === 'GET' || req.method === 'HEAD' ? {} : { body }),
      });
      const text = Buffer.from(await answer.arrayBuffer());
      if (match) {
        state.child?.kill('SIGTERM');
        await new Promise((r) => setTimeout(r, 300));
      }
      const out: Record<string, string> = {};
      answer.headers.forEach((value, name) => {
        if (!['content-encoding', 'content-length', 'transfer-encoding', 'connection'].includes(name)) out[name] = value;
      });
      res.writeHead(answer.status, out).end(text);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return state;
}

/** Starts a bundle whose gate signals it; resolves with the run once it ended. */
function cancelledBy(g: Gate, ...args: Parameters<typeof startBundle>): Promise<BundleRun> {
  const { child, done } = startBundle(...args);
  g.child = child;
  return done.finally(() => g.close());
}

describe('assume-env cancelled (SIGTERM): nothing exported, at whichever phase', () => {
  const PROD = '111111111111';
  const setup = async () => {
    const role = await githubOidcRole(bed, { account: PROD, subject: { subLike: 'repo:acme/shop:environment:prod' } });
    bed.oidc.setClaims({ environment: 'prod' });
    // One environment, prod, whose role trusts the bed's token (the image is never built here).
    const prod = { account: PROD, region: 'us-west-2', role };
    const config = {
      app: 'shop',
      image: { repository: `${PROD}.dkr.ecr.us-west-2.amazonaws.com/shop` },
      environments: { prod: { aws: prod } },
    };
    return { dir: jobWorkspace(JSON.stringify(config), 'sigterm-assume-'), role };
  };
  const run = (dir: string, g: Gate, env: Record<string, string>) =>
    cancelledBy(g, 'assume-env', { environment: 'prod' }, { ...noAmbientAws(dir), ...env }, { workspace: dir });

  const expectNothingExported = (r: BundleRun, during: RegExp): void => {
    const line = expectOneStateLine(r, 'assume-env');
    expect(line).toMatch(during);
    expect(line).toContain('Unchanged: nothing was exported: GITHUB_ENV and the step outputs were not written');
    expect(r.envFile).toBe('');
    expect(r.outputFile).toBe('');
  };

  it("while the job's OIDC token is requested", async () => {
    const { dir } = await setup();
    const g = await gate(new URL(bed.oidc.requestUrl).origin, () => true, 'hold');
    const path = new URL(bed.oidc.requestUrl);
    const r = await run(dir, g, {
      ACTIONS_ID_TOKEN_REQUEST_URL: `${g.url}${path.pathname}${path.search}`,
      ACTIONS_ID_TOKEN_REQUEST_TOKEN: bed.oidc.requestToken,
      AWS_ENDPOINT_URL: bed.moto.endpoint,
    });
    expect(g.fired(), r.log).toBe(true);
    expectNothingExported(r, /the run was cancelled \(SIGTERM\) while waiting for the job's GitHub OIDC token/);
  });

  /** A run whose STS call `action` is held (the OIDC token is the bed's). */
  const heldAt = async (action: string): Promise<BundleRun> => {
    const { dir } = await setup();
    const g = await gate(bed.moto.endpoint, (_req, body) => body.includes(`Action=${action}`), 'hold');
    const r = await run(dir, g, {
      ACTIONS_ID_TOKEN_REQUEST_URL: bed.oidc.requestUrl,
      ACTIONS_ID_TOKEN_REQUEST_TOKEN: bed.oidc.requestToken,
      AWS_ENDPOINT_URL: g.url,
    });
    expect(g.fired(), r.log).toBe(true);
    return r;
  };

  it('while AssumeRoleWithWebIdentity is out', async () => {
    const r = await heldAt('AssumeRoleWithWebIdentity');
    expectNothingExported(r, /cancelled \(SIGTERM\) while waiting for sts:AssumeRoleWithWebIdentity/);
  });

  it('once STS issued the session, while GetCallerIdentity checks it: the credentials are not exported', async () => {
    const r = await heldAt('GetCallerIdentity');
    expect(r.stdout).toMatch(/^assumed arn:aws:sts::/m);
    expectNothingExported(r, /cancelled \(SIGTERM\) while waiting for sts:GetCallerIdentity/);
  });
});

describe('deployment-record cancelled (SIGTERM)', () => {
  // The example environment file: dev, then staging promoted from dev.
  let workspace = '';
  beforeAll(() => {
    workspace = jobWorkspace(
      readFileSync(join(root, 'examples/expeditor.yml'), 'utf8').replace(/^# yaml-language-server:.*\n/, ''),
      'sigterm-record-',
    );
  });
  let n = 0;
  const image = (): string =>
    `127.0.0.1:5000/demo-app@sha256:${String(++n + 7000)
      .padStart(4, '0')
      .repeat(16)}`;
  const env = (g: Gate): Record<string, string> => ({ ...bed.github.env, GITHUB_API_URL: g.url, GITHUB_SHA: 'b'.repeat(40) });
  const record = (g: Gate, inputs: Record<string, string>) =>
    cancelledBy(g, 'deployment-record', { token: bed.github.token, ...inputs }, env(g), { workspace });
  const isCreate = (req: IncomingMessage): boolean => req.method === 'POST' && /\/deployments$/.test(req.url ?? '');

  it('during the promotion gate: no Deployment created', async () => {
    const before = bed.github.deployments('staging').length;
    const g = await gate(bed.github.apiUrl, (req) => req.method === 'GET', 'hold');
    const r = await record(g, { mode: 'start', environment: 'staging', image: image() });
    expect(g.fired(), r.log).toBe(true);
    const line = expectOneStateLine(r, 'deployment-record');
    expect(line).toMatch(/cancelled \(SIGTERM\).*Unchanged: nothing was recorded or deployed: no GitHub Deployment was created/);
    expect(bed.github.deployments('staging')).toHaveLength(before);
    expect(r.outputs).toEqual({});
  });

  it('once the Deployment is created: its in_progress status lands, then it is marked error (cancelled)', async () => {
    const before = bed.github.deployments('dev').length;
    const g = await gate(bed.github.apiUrl, isCreate, 'after');
    const r = await record(g, { mode: 'start', environment: 'dev', image: image() });
    expect(g.fired(), r.log).toBe(true);
    const line = expectOneStateLine(r, 'deployment-record');
    const ours = bed.github.deployments('dev').slice(before);
    expect(ours).toHaveLength(1);
    const id = ours[0]!.id;
    expect(line).toContain(`the run was cancelled (SIGTERM), after GitHub Deployment ${id} was created`);
    expect(line).toContain(`Unchanged: nothing was deployed; GitHub Deployment ${id} was marked error (cancelled)`);
    expect(ours[0]!.statuses.map((s) => `${s.state} ${s.description}`)).toEqual([
      'in_progress deploying',
      'error cancelled before the deploy',
    ]);
    expect(r.outputs).toEqual({});
  });

  it('finish, while the Deployment is read: no status written, it stays in progress', async () => {
    const direct = await gate(bed.github.apiUrl, () => false, 'hold');
    const { done } = startBundle(
      'deployment-record',
      { token: bed.github.token, mode: 'start', environment: 'dev', image: image() },
      env(direct),
      {
        workspace,
      },
    );
    const started = await done;
    await direct.close();
    expect(started.status, started.log).toBe(0);
    const id = Number(started.outputs['deployment-id']);
    const g = await gate(bed.github.apiUrl, (req) => req.method === 'GET', 'hold');
    const r = await record(g, { mode: 'finish', environment: 'dev', 'deployment-id': String(id), state: 'success' });
    expect(g.fired(), r.log).toBe(true);
    const line = expectOneStateLine(r, 'deployment-record');
    expect(line).toMatch(
      new RegExp(`cancelled \\(SIGTERM\\).*Unchanged: no status was recorded: deployment ${id} keeps the status it had`),
    );
    const ours = bed.github.deployments('dev').find((d) => d.id === id)!;
    expect(ours.statuses.map((s) => s.state)).toEqual(['in_progress']);
  });
});

describe('build-image cancelled (SIGTERM), buildah', () => {
  let wrappers = '';
  let pids = '';
  beforeAll(() => {
    // The real buildah, each invocation's pid recorded (exec keeps it).
    wrappers = join(bed.dir, 'sigterm-wrappers');
    mkdirSync(wrappers, { recursive: true });
    pids = join(bed.dir, 'sigterm-buildah-pids');
    writeFileSync(pids, '');
    const real = spawnSync('sh', ['-c', 'command -v buildah'], { encoding: 'utf8' }).stdout.trim();
    writeFileSync(join(wrappers, 'buildah'), `#!/bin/sh\necho "$$ $1" >> '${pids}'\nexec '${real}' "$@"\n`);
    chmodSync(join(wrappers, 'buildah'), 0o755);
  });
  afterAll(() => {
    // A failed case must not leave its builder behind for the rest of the suite.
    for (const pid of alive()) process.kill(pid, 'SIGKILL');
  });

  /** Recorded buildah pids still running. */
  const alive = (): number[] =>
    readFileSync(pids, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => Number(l.split(' ')[0]))
      .filter((pid) => {
        try {
          process.kill(pid, 0);
          return true;
        } catch {
          return false;
        }
      });
  /** Pids of processes whose command line is exactly `argv`. */
  const processesOf = (argv: string[]): number[] =>
    readdirSync('/proc')
      .filter((d) => /^\d+$/.test(d))
      .filter((d) => {
        try {
          return readFileSync(`/proc/${d}/cmdline`, 'utf8') === `${argv.join('\0')}\0`;
        } catch {
          return false;
        }
      })
      .map(Number);

  const build = (name: string, dockerfile: string, phase: RegExp) => {
    const dir = join(bed.dir, 'sigterm-workspaces', name);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'Dockerfile'), dockerfile);
    writeFileSync(join(dir, 'index.html'), `${name}\n`);
    const env: Record<string, string> = {
      ...(process.env as Record<string, string>),
      ...bed.registry.containerEnv,
      PATH: `${wrappers}:${process.env.PATH}`,
      GITHUB_SHA: shaOf(`sigterm-${name}`),
      GITHUB_SERVER_URL: 'https://github.com',
    };
    delete env.DOCKER_HOST;
    return startBundle(
      'build-image',
      {
        repository: `${bed.registry.host}/sigterm/${name}`,
        context: '.',
        'build-args': `BASE=${bed.registry.baseImage}`,
        builder: 'buildah',
      },
      env,
      { workspace: dir, home: process.env.HOME, signalAfter: (line) => phase.test(line) },
    ).done;
  };

  it('during the build (a RUN step still running): the builder and its RUN process are ended, nothing is pushed', async () => {
    const r = await build('held', 'ARG BASE\nFROM ${BASE}\nRUN echo "held-$((20+22))" && sleep 3017\nCOPY index.html /\n', /^held-42$/);
    const line = expectOneStateLine(r, 'build-image');
    expect(line).toMatch(/the run was cancelled \(SIGTERM\).*during the buildah build and push/);
    expect(line).toContain(`Unchanged: ${bed.registry.host}/sigterm/held:${shaOf('sigterm-held')} was not pushed (it does not exist)`);
    expect(await bed.registry.digest('sigterm/held', shaOf('sigterm-held'))).toBeUndefined();
    expect(readFileSync(pids, 'utf8')).toMatch(/ bud\n/);
    expect(alive()).toEqual([]);
    expect(processesOf(['sleep', '3017'])).toEqual([]);
  });

  it('during the push: the tag is not moved unless the manifest was sent, and the line says which', async () => {
    const r = await build('pushing', 'ARG BASE\nFROM ${BASE}\nCOPY index.html /\n', /^::group::Push /);
    const line = expectOneStateLine(r, 'build-image');
    expect(line).toMatch(/the run was cancelled \(SIGTERM\).*during the buildah build and push/);
    const tag = shaOf('sigterm-pushing');
    const digest = await bed.registry.digest('sigterm/pushing', tag);
    if (digest) expect(line).toContain(`Unchanged: the push had landed: ${bed.registry.host}/sigterm/pushing:${tag} points at ${digest}`);
    else expect(line).toContain(`Unchanged: ${bed.registry.host}/sigterm/pushing:${tag} was not pushed (it does not exist)`);
    expect(r.outputs).toEqual({});
    expect(alive()).toEqual([]);
  });
});
