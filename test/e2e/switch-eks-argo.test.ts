// bluegreen-switch on an Argo Rollouts blue/green Rollout, against the real controller on the bed,
// after deploy-eks left it paused for promotion: switch promotes it (Healthy, the active Service on
// the new pods), rollback aborts one (the active Service stays on the stable ReplicaSet), a failed
// post-promotion AnalysisRun is named in the failure while Argo puts traffic back, and the
// committed bundle does the same; bad input is refused before any request.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useBed } from '../bed/vitest.ts';
import {
  deployedPaused,
  endpointPods,
  readRollout,
  rolloutSwitchOptions,
  selectedHash,
  successRateTemplate,
  verdictServer,
  type RolloutManifestOptions,
} from './argo-bed.ts';
import { newNamespace } from './deploy-eks-bed.ts';
import { countingServer, jobWorkspace, noAmbientAws, runBundle } from './bundle-run.ts';
import { failure, useSwitchEks } from './switch-eks-fixture.ts';

const bed = useBed(['k8s', 'argo']);
const { b, run } = useSwitchEks(bed);

/** A Rollout deployed twice with deploy-eks: the first revision active, the second paused for promotion. */
const pausedRollout = (extra: Record<string, unknown>[] = [], manifest: Partial<RolloutManifestOptions> = {}) =>
  deployedPaused(bed.k8s, b.connection, 'argo-sw', extra, manifest);

const options = rolloutSwitchOptions;

describe('bluegreen-switch on an Argo Rollout', () => {
  it('switch promotes a Rollout paused for promotion: Healthy, the active Service on the new pods; a second switch has nothing to do', async () => {
    const { ns, stable, next } = await pausedRollout();
    const { log, result } = run(options(ns));
    const r = await result;
    expect(r, log.lines.join('\n')).toMatchObject({ action: 'switch', from: stable, to: next, switched: true });
    expect(r.convergenceMs).toBeGreaterThan(0);
    const rollout = await readRollout(b.connection, ns, 'shop');
    expect(rollout.status).toMatchObject({ phase: 'Healthy', stableRS: next, currentPodHash: next });
    expect(await selectedHash(b.connection, ns, 'shop-active')).toBe(next);
    const pods = await endpointPods(b.connection, ns, 'shop-active');
    expect(pods).toHaveLength(2);
    expect(pods.every((p) => p.startsWith(`shop-${next}-`))).toBe(true);
    const lines = log.lines.join('\n');
    expect(lines).toMatch(/Promoting Rollout shop: active \w+ → \w+/);
    expect(lines).toMatch(/cleared the pause of Rollout shop \(what kubectl argo rollouts promote does\)/);
    expect(lines).toMatch(/Rollout shop: Healthy, active \w+, stable \w+/);

    const again = await run(options(ns)).result;
    expect(again).toMatchObject({ switched: false, from: next, to: next });
    expect(again.note).toBe(`Rollout shop is already promoted: ReplicaSet ${next} is stable and active; nothing to switch`);
  });

  it('rollback aborts a Rollout paused for promotion: the active Service stays on the stable ReplicaSet', async () => {
    const { ns, stable, next } = await pausedRollout();
    const { log, result } = run(options(ns, { action: 'rollback' }));
    const r = await result;
    expect(r, log.lines.join('\n')).toMatchObject({ action: 'rollback', from: stable, to: stable, switched: true });
    const rollout = await readRollout(b.connection, ns, 'shop');
    expect(rollout.status).toMatchObject({ abort: true, phase: 'Degraded', stableRS: stable });
    expect(await selectedHash(b.connection, ns, 'shop-active')).toBe(stable);
    const pods = await endpointPods(b.connection, ns, 'shop-active');
    expect(pods.length).toBeGreaterThan(0);
    expect(pods.every((p) => p.startsWith(`shop-${stable}-`))).toBe(true);
    // Promoting an aborted Rollout is refused, changing nothing.
    const refused = await failure(run(options(ns)).result);
    expect(refused.message).toMatch(/^Rollout shop is aborted \(RolloutAborted: /);
    expect(refused.input).toBe('rollout');
    expect(next).not.toBe(stable);
  });

  it('two switches at once: exactly one promotes, the other changes nothing and says why', async () => {
    const { ns, next } = await pausedRollout();
    const runs = [run(options(ns)), run(options(ns))];
    const outcomes = await Promise.allSettled(runs.map((r) => r.result));
    const winners = outcomes.filter((o) => o.status === 'fulfilled' && o.value.switched);
    expect(winners, runs.map((r) => r.log.lines.join('\n')).join('\n----\n')).toHaveLength(1);
    const other = outcomes.find((o) => !(o.status === 'fulfilled' && o.value.switched));
    if (other?.status === 'rejected') expect(String(other.reason)).toMatch(/someone else changed Rollout shop while this run was deciding/);
    else expect(other?.value.note).toMatch(/^Rollout shop is (being promoted already|already promoted)/);
    expect(await selectedHash(b.connection, ns, 'shop-active')).toBe(next);
  });

  it('refuses what it cannot do before writing: a missing Rollout, one with nothing to abort', async () => {
    const ns = await newNamespace(b.connection, `argo-sw-${process.pid}-missing`);
    const missing = await failure(run(options(ns)).result);
    expect(missing.message).toBe(`Rollout shop does not exist in namespace ${ns}`);
    expect(missing.input).toBe('rollout');
    const { ns: ns2 } = await pausedRollout();
    await run(options(ns2)).result;
    const nothing = await failure(run(options(ns2, { action: 'rollback' })).result);
    expect(nothing.message).toMatch(
      /^Rollout shop has no update in progress: ReplicaSet \w+ is stable and active, so there is nothing to abort$/,
    );
  });

  it('a failing post-promotion AnalysisRun is named in the failure, and Argo keeps traffic on the stable ReplicaSet', async () => {
    const verdict = await verdictServer(false);
    try {
      const { ns, stable } = await pausedRollout([successRateTemplate(verdict.url)], { postPromotionTemplate: 'success-rate' });
      const { log, result } = run(options(ns));
      const error = await failure(result);
      expect(error.message, log.lines.join('\n')).toMatch(/^Rollout shop was aborted: /);
      expect(error.message).toMatch(/AnalysisRun shop-\w+-\d+-post: Failed/);
      expect(error.message).toMatch(/success-rate Failed/);
      expect(error.unchanged).toBe(`Argo Rollouts put the active Service back on the stable ReplicaSet ${stable}`);
      expect(log.lines.join('\n')).toMatch(/AnalysisRun shop-\w+-\d+-post: (Pending|Running)/);
      const rollout = await readRollout(b.connection, ns, 'shop');
      expect(rollout.status?.abort).toBe(true);
      expect(await selectedHash(b.connection, ns, 'shop-active')).toBe(stable);
    } finally {
      verdict.server.close();
    }
  });

  it('a post-promotion AnalysisRun that is inconclusive stops the switch at once, leaving the Rollout paused for a person', async () => {
    const verdict = await verdictServer('unsure');
    try {
      const { ns, next } = await pausedRollout([successRateTemplate(verdict.url)], { postPromotionTemplate: 'success-rate' });
      const { log, result } = run(options(ns));
      const error = await failure(result);
      expect(error.message, log.lines.join('\n')).toMatch(/^Rollout shop is paused: an AnalysisRun was inconclusive/);
      expect(error.unchanged).toBe('Argo Rollouts holds the Rollout paused; traffic stays where it is');
      const rollout = await readRollout(b.connection, ns, 'shop');
      expect(rollout.status?.pauseConditions?.map((c) => c.reason)).toContain('InconclusiveAnalysisRun');
      expect(await selectedHash(b.connection, ns, 'shop-active')).toBe(next);
    } finally {
      verdict.server.close();
    }
  });

  it('through the bundle: switch and rollback with outputs; bad input refused before any request', async () => {
    const { ns, stable, next, deploy } = await pausedRollout();
    const dir = jobWorkspace(undefined, 'switch-argo-bundle-');
    const inputs = { platform: 'eks', kubeconfig: bed.k8s.kubeconfig, namespace: ns, rollout: 'shop' };
    const env = { GITHUB_SHA: 'c0ffee0000000000000000000000000000000004', ...noAmbientAws(dir) };
    const promoted = await runBundle('bluegreen-switch', inputs, env, { workspace: dir });
    expect(promoted.status, promoted.log).toBe(0);
    expect(promoted.outputs).toMatchObject({ from: stable, to: next, switched: 'true' });
    expect(Number(promoted.outputs['convergence-ms'])).toBeGreaterThan(0);
    expect(promoted.summary).toContain(`${stable} → ${next}`);
    expect(await selectedHash(b.connection, ns, 'shop-active')).toBe(next);

    const third = (await deploy(3))?.newHash;
    const aborted = await runBundle('bluegreen-switch', { ...inputs, action: 'rollback' }, env, { workspace: dir });
    expect(aborted.status, aborted.log).toBe(0);
    expect(aborted.outputs).toMatchObject({ from: next, to: next, switched: 'true' });
    expect(await selectedHash(b.connection, ns, 'shop-active')).toBe(next);
    expect(third).not.toBe(next);

    const counting = await countingServer();
    try {
      const bad = await runBundle(
        'bluegreen-switch',
        { ...inputs, kubeconfig: countingKubeconfig(dir, counting.port), 'target-color': 'green', service: 'shop' },
        env,
        { workspace: dir },
      );
      expect(bad.status).toBe(1);
      expect(bad.log).toMatch(/input 'target-color': is not used with 'rollout'/);
      expect(bad.log).toMatch(/input 'service': is not used with 'rollout'/);
      expect(counting.requests()).toBe(0);
    } finally {
      await counting.close();
    }
  });
});

/** A kubeconfig whose cluster is a server that counts requests. */
function countingKubeconfig(dir: string, port: number): string {
  const path = join(dir, 'counting-kubeconfig');
  writeFileSync(
    path,
    `apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: "https://127.0.0.1:${port}", insecure-skip-tls-verify: true}}]\nusers: [{name: u, user: {token: t}}]\ncontexts: [{name: x, context: {cluster: c, user: u}}]\ncurrent-context: x\n`,
  );
  return path;
}
