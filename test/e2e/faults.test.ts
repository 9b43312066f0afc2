// The actions through a network that fails: a fault proxy (fault-proxy.ts) between the committed
// bundles and moto / the kube-apiserver injects 429s, 503s, connection resets before and after the
// server acted, slow answers and dropped watches. Each scenario must complete in the same end state
// as without faults, with no duplicate write. Here a short run at a high rate on fixed seeds; the
// matrix at 10 % over many runs is bench/faults.bench.ts.
import { describe, it } from 'vitest';
import { useBed } from '../bed/vitest.ts';
import { awsOperation, ecsBlueGreen, ecsRolling, eksDeployAndSwitch, eksDeployByTag, kubeWrite, lostWrites } from './fault-scenarios.ts';
import { once } from './fault-proxy.ts';
import { expectClean } from './fault-expect.ts';

const bed = useBed(['moto', 'k8s', 'registry']);

// Besides a quarter of the requests at random, the first write of each kind that must not be
// repeated has its answer lost after the server acted (a retry would make a duplicate).
describe('through injected faults (25 % of requests, and lost answers to the first writes)', () => {
  it.each([11, 12])('deploy-ecs rolling completes once (seed %i)', async (seed) => {
    expectClean(
      await ecsRolling(bed.moto, lostWrites({ rate: 0.25, seed }, awsOperation('RegisterTaskDefinition'), awsOperation('UpdateService'))),
    );
  });

  it.each([21, 22])('deploy-ecs blue/green through CodeDeploy completes once (seed %i)', async (seed) => {
    expectClean(
      await ecsBlueGreen(
        bed.moto,
        lostWrites({ rate: 0.25, seed }, awsOperation('RegisterTaskDefinition'), awsOperation('CreateDeployment')),
      ),
    );
  });

  it.each([31, 32])('deploy-eks twice and a switch end on green with one Deployment per color (seed %i)', async (seed) => {
    expectClean(
      await eksDeployAndSwitch(bed.k8s, lostWrites({ rate: 0.25, seed }, kubeWrite('POST', 'deployments'), kubeWrite('PATCH', 'services'))),
    );
  });

  // The tag → digest lookup is a handful of registry requests: the first manifest read gets a 503
  // on top of the random faults, so every run meets one.
  it.each([71, 72])('deploy-eks resolves an image tag through the registry and deploys its digest (seed %i)', async (seed) => {
    expectClean(await eksDeployByTag(bed, { rate: 0.25, seed, pick: once((r) => r.path.includes('/manifests/'), 'unavailable') }));
  });
});
