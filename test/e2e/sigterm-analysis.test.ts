// SIGTERM (a cancelled workflow run) while bluegreen-switch runs its `pre` analysis, before any
// traffic moves, through the bundle on the bed (kube-apiserver with KWOK; moto with its CodeDeploy
// extension). The check is an HTTP source on a server of the test's own: one that holds every GET
// without answering (a slow source the check is waiting on), or one that answers at once while the
// check waits out a long interval. The signal is sent when the server has the request, so the run
// is cancelled inside the analysis, not before or after it. The run must stop there (the wait
// between measurements is longer than the test's own timeout, so a run that did not stop fails it;
// a held request must be given up by the client), move no traffic, and say so in its one error
// line: EKS, the selector still on blue and the Service not written; ECS, the CodeDeploy deployment
// still held at Ready, no ContinueDeployment or StopDeployment sent.
import { afterEach, describe, expect, it } from 'vitest';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ChildProcess } from 'node:child_process';
import { GetDeploymentCommand } from '@aws-sdk/client-codedeploy';
import { useBed } from '../bed/vitest.ts';
import { type BundleRun, jobWorkspace, noAmbientAws, startBundle } from './bundle-run.ts';
import { blueGreenService, blueGreenTarget, callsOf, digestImage, runBundle } from './deploy-ecs-bed.ts';
import { setUpColors } from './switch-eks-bed.ts';
import { useSwitchEks } from './switch-eks-fixture.ts';
import { expectOneStateLine, signalAt } from './sigterm-bed.ts';

const bed = useBed(['moto', 'k8s']);
const { b, stable } = useSwitchEks(bed);

interface Source {
  url: string;
  /** GETs that reached the server. */
  requests: number;
  /** Held GETs whose connection the client closed before any answer. */
  givenUp: number;
  close(): Promise<void>;
}

/**
 * An HTTP source for the check. `hold`: every GET is held unanswered; else each gets 200 at once.
 * `onRequest` runs as each GET arrives (here: the cancel).
 */
async function source(mode: 'hold' | 'answer', onRequest: () => void): Promise<Source> {
  const held: ServerResponse[] = [];
  const state = { requests: 0, givenUp: 0 };
  const server = createServer((_req, res) => {
    state.requests++;
    if (mode === 'answer') res.writeHead(200).end('ok');
    else {
      held.push(res);
      res.on('close', () => {
        if (!res.writableEnded) state.givenUp++;
      });
    }
    onRequest();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/healthz`,
    get requests() {
      return state.requests;
    },
    get givenUp() {
      return state.givenUp;
    },
    close: () =>
      new Promise<void>((r) => {
        for (const res of held) res.destroy();
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

const opened: Source[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((s) => s.close()));
});

/**
 * The check: a pre check on `url`. A held GET may wait 10 minutes (the source's own timeout; the
 * run's measurement limit is 20 s); with an answering source the check waits 10 minutes before
 * its second measurement. Either is far past the test's timeout.
 */
const preCheck = (url: string, mode: 'hold' | 'answer') =>
  `checks:\n  - name: healthz\n    provider: http\n    url: "${url}"\n    timeout: 10m\n    at: [pre]\n    interval: ${mode === 'hold' ? '200ms' : '10m'}\n    count: ${mode === 'hold' ? 20 : 2}\n`;

/**
 * A started bundle cancelled (SIGTERM) inside its pre check: as the held GET arrives, or once the
 * answered first measurement is logged (the check then waits for the second).
 */
async function cancelledInPre(mode: 'hold' | 'answer', start: (analysis: string) => { child: ChildProcess; done: Promise<BundleRun> }) {
  let child: ChildProcess | undefined;
  const src = await source(mode, () => {
    if (mode === 'hold') child?.kill('SIGTERM');
  });
  opened.push(src);
  const started = start(preCheck(src.url, mode));
  child = started.child;
  if (mode === 'answer') signalAt(child, /^pre healthz: 200 OK: .* → passed \(1 of 2\)/, 'SIGTERM');
  return { run: await started.done, src };
}

describe('bluegreen-switch on EKS cancelled (SIGTERM) during the pre analysis', () => {
  const switching = (c: { ns: string; svc: string }, analysis: string, extra: Record<string, string> = {}) => {
    const dir = jobWorkspace(undefined, 'sigterm-pre-');
    return startBundle(
      'bluegreen-switch',
      {
        platform: 'eks',
        kubeconfig: bed.k8s.kubeconfig,
        namespace: c.ns,
        service: c.svc,
        'target-color': 'green',
        analysis,
        timeout: '1h',
        ...extra,
      },
      { GITHUB_SHA: 'c0ffee0000000000000000000000000000000019', ...noAmbientAws(dir) },
      { workspace: dir },
    );
  };

  it.each([
    ['while a slow source holds the check’s request', 'hold'],
    ['while the check waits between measurements', 'answer'],
  ] as const)('%s: stops there, the selector stays on blue, and the line says nothing was switched', async (_what, mode) => {
    const c = await setUpColors(b);
    const before = (await stable(c)).metadata?.resourceVersion;
    const { run, src } = await cancelledInPre(mode, (analysis) => switching(c, analysis));
    const line = expectOneStateLine(run, 'bluegreen-switch');
    expect(line).toMatch(/the run was cancelled \(SIGTERM\).*Unchanged: Service shop still selects blue; nothing was switched/);
    expect(run.stdout).toContain('::group::Analysis of green before the switch');
    expect(run.stdout).not.toMatch(/::group::Switching Service/);
    // The check took one measurement (or none) and was stopped: one GET, given up when held.
    expect(src.requests).toBe(1);
    if (mode === 'hold') expect(src.givenUp).toBe(1);
    // No write at all: the Service is the object it was.
    const after = await stable(c);
    expect(after.spec?.selector?.version).toBe('blue');
    expect(after.metadata?.resourceVersion).toBe(before);
    expect(run.summary).toContain('cancelled (SIGTERM)');
  });

  it('route ingress with a canary: stops before the first step, every path still on blue, and the line says so', async () => {
    const c = await setUpColors(b, { ingress: true });
    const read = () => b.connection.networking.readNamespacedIngress({ namespace: c.ns, name: c.ingress });
    const before = (await read()).metadata?.resourceVersion;
    const { run } = await cancelledInPre('answer', (analysis) =>
      switching(c, analysis, { route: 'ingress', ingress: c.ingress, canary: '10,50,100', 'step-pause': '1s' }),
    );
    const line = expectOneStateLine(run, 'bluegreen-switch');
    expect(line).toMatch(
      /the run was cancelled \(SIGTERM\).*Unchanged: Ingress shop-web still sends blue all traffic; nothing was changed/,
    );
    expect(run.stdout).not.toMatch(/::group::Ingress shop-web: step 1/);
    expect((await read()).metadata?.resourceVersion).toBe(before);
  });
});

describe('bluegreen-switch on ECS cancelled (SIGTERM) during the pre analysis', () => {
  it.each([
    ['while a slow source holds the check’s request', 'hold'],
    ['while the check waits between measurements', 'answer'],
  ] as const)('%s: the deployment stays at Ready, no traffic moved, and the line says so and what to do', async (_what, mode) => {
    const fx = await blueGreenService(bed.moto, { waitForReroute: true });
    const deploy = await runBundle('deploy-ecs', { image: digestImage(), ...blueGreenTarget(fx), 'wait-until': 'ready' }, bed.moto.env());
    expect(deploy.status, deploy.log).toBe(0);
    const id = deploy.outputs['deployment-id']!;
    const since = Date.now();
    const { run, src } = await cancelledInPre(mode, (analysis) =>
      startBundle(
        'bluegreen-switch',
        { platform: 'ecs', 'deployment-id': id, analysis, timeout: '1h' },
        { GITHUB_SHA: 'b'.repeat(40), ...bed.moto.env() },
        { home: process.env.HOME ?? '' },
      ),
    );
    const line = expectOneStateLine(run, 'bluegreen-switch');
    expect(line).toMatch(
      new RegExp(
        `the run was cancelled \\(SIGTERM\\).*Unchanged: nothing was changed: deployment ${id} stays at Ready, blue \\(\\S+\\) serves all production traffic`,
      ),
    );
    expect(line).toMatch(new RegExp(`run the switch again to move traffic to green, or roll deployment ${id} back`));
    expect(src.requests).toBe(1);
    if (mode === 'hold') expect(src.givenUp).toBe(1);
    expect(await callsOf(bed.moto, 'ContinueDeployment', since)).toHaveLength(0);
    expect(await callsOf(bed.moto, 'StopDeployment', since)).toHaveLength(0);
    expect((await fx.codedeploy.send(new GetDeploymentCommand({ deploymentId: id }))).deploymentInfo?.status).toBe('Ready');
    expect((await fx.describe()).taskDefinition).toBe(fx.blueTd);
  });
});
