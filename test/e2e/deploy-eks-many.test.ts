// Ten services in one deploy-eks call on the bed: brought up in parallel and watched together
// (a few watches, not ten sets); one of them fails, the nine others are still reported ready.
import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import { useBed } from '../bed/vitest.ts';
import { deploymentManifest, image, kubeconfigConnection, newNamespace, runCore, workspace, writeManifest } from './deploy-eks-bed.ts';
import { deploySummary } from '../../actions/deploy-eks/src/summary.ts';
import { planDeployEks } from '../../actions/deploy-eks/src/plan.ts';
import { readDeployEksInputs } from '../../actions/deploy-eks/src/inputs.ts';
import { ActionInputs, inputEnv } from '../../packages/shared/src/inputs.ts';

const bed = useBed(['k8s']);

describe('deploy-eks with several services', () => {
  it('brings up 10 services in one call; a failing one does not hide the others', async () => {
    const c = await kubeconfigConnection(bed.k8s);
    const ns = await newNamespace(c, 'many');
    const ws = workspace();
    const names = Array.from({ length: 10 }, (_, i) => `svc-${i}`);
    // svc-7 has a sidecar whose image the bed fails to pull; the main image is the same for all.
    const docs = names.map((n) => {
      const d = deploymentManifest(n, { replicas: 2, ports: [8080], containers: n === 'svc-7' ? 2 : 1 });
      if (n === 'svc-7') d.spec!.template.spec!.containers[1]!.image = 'registry.bed/sidecar:bed-fail-pull';
      return d;
    });
    const manifest = writeManifest(ws, 'k8s/all.yaml', ...docs);
    const inputs = { image: image(10), services: names.join(','), namespace: ns, manifest };
    const { result, connection, lines } = await runCore(bed.k8s, { workspace: ws, inputs });
    expect(result.results.map((r) => r.service)).toEqual(names);
    expect(result.ready).toBe(false);
    expect(result.results.filter((r) => r.ready).map((r) => r.service)).toEqual(names.filter((n) => n !== 'svc-7'));
    const failed = result.results.find((r) => r.service === 'svc-7');
    expect(failed?.diagnosis?.kind).toMatch(/^(ErrImagePull|ImagePullBackOff)$/);
    expect(failed?.diagnosis?.container).toBe('sidecar-1');
    expect(result.failure?.message).toMatch(/^1 of 10 services are not ready to switch: svc-7 blue/);
    expect(result.failure?.next).toMatch(/^ready to switch: svc-0, svc-1, svc-2, svc-3, svc-4, svc-5, svc-6, svc-8, svc-9\./);
    // One set of watches for all ten: Deployments, ReplicaSets, Pods (one target color) and slices.
    expect(connection.stats.peakWatches).toBe(4);
    expect(lines.filter((l) => / ready to switch /.test(l))).toHaveLength(9);
    // The summary: one table, a row per service, the diagnosis of the failure.
    const env = inputEnv(inputs);
    const plan = planDeployEks(readDeployEksInputs(new ActionInputs({ ...env, INPUT_KUBECONFIG: bed.k8s.kubeconfig })), {
      workspace: ws,
      sha: '',
      runUrl: '',
      runner: { kubeconfig: undefined, awsRegion: undefined, stsEndpoint: undefined, runnerTemp: tmpdir() },
    });
    const markdown = deploySummary(plan, 'kubeconfig', { result }, 1000).toMarkdown();
    expect(markdown).toContain('## deploy-eks 9 of 10 ready');
    expect(markdown.match(/^\| svc-\d /gm)).toHaveLength(10);
    expect(markdown).toContain('| svc-7 | none (first deploy) | blue (svc-7-blue) | 0/2 | no |');
    expect(markdown).toContain('<summary>svc-7: ');
  });
});
