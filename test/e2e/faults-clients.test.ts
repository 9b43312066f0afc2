// The fault matrix for assume-env, deployment-record and the registry client (fault-clients.ts):
// throttling, 503, a connection reset before the request is sent and after the server acted, each
// on the call's first request (the run must complete, as without the fault, with no duplicate)
// and on every request of it (the run must stop with an error naming the call; or, when every
// answer is lost after the server acted, complete once if it finds its own write), and an answer
// held past the run's deadline (the run must stop at the deadline naming the call, not hang). No
// outcome may show a secret. assume-env and deployment-record run as committed bundles; the
// registry client is called as deploy-eks and build-image call it. The matrix is printed. The
// suite runs its short share (suiteFaultCases); bench/faults-clients.bench.ts runs all of it.
import { afterAll, describe, expect, it } from 'vitest';
import { useBed } from '../bed/vitest.ts';
import {
  assumeCallNamed,
  assumeEnv,
  deploymentRecord,
  type EdgeOutcome,
  type FaultCase,
  suiteFaultCases,
  matrixTable,
  recordCallNamed,
  registryCallNamed,
  registryClient,
} from './fault-clients.ts';

const bed = useBed(['oidc', 'moto', 'registry', 'github']);
const outcomes: EdgeOutcome[] = [];

afterAll(() => {
  console.log(`fault matrix (assume-env, deployment-record, registry client)\n${matrixTable(outcomes)}`);
});

function expectJudged(o: EdgeOutcome, c: FaultCase, named: RegExp): void {
  outcomes.push(o);
  expect(o.faults, 'the proxy injected the fault').toBeGreaterThan(0);
  expect(o.leaked, o.log).toEqual([]);
  expect(o.duplicates, o.log).toBe(0);
  if (c.strike === 'once') {
    expect(o.completed, `${o.error}\n${o.log}`).toBe(true);
    expect(o.wrongEnd, o.log).toBeUndefined();
    return;
  }
  // Every answer lost after the server acted: a create that recognises its own landed write
  // (deployment-record) completes, once; anything else stops.
  if (c.kind === 'reset-after' && o.completed) {
    expect(o.wrongEnd, o.log).toBeUndefined();
    return;
  }
  // Every request failing, or the answer held past the deadline: a failure that names the call.
  expect(o.completed, o.log).toBe(false);
  expect(o.error, o.log).toMatch(named);
  if (c.strike === 'past-deadline') expect(o.error, o.log).toMatch(/the deadline of 4.0 s ran out while waiting for /);
}

const cases = suiteFaultCases.map((c) => [`${c.kind} ${c.strike}`, c] as const);

describe('assume-env through a faulty network', () => {
  for (const call of ['oidc-token', 'sts'] as const) {
    it.each(cases)(`${call}: %s`, async (_name, c) => {
      expectJudged(await assumeEnv(bed, call, c), c, assumeCallNamed[call]);
    });
  }
});

describe('deployment-record through a faulty network', () => {
  for (const call of ['create', 'status'] as const) {
    it.each(cases)(`${call}: %s`, async (_name, c) => {
      expectJudged(await deploymentRecord(bed.github, call, c), c, recordCallNamed[call]);
    });
  }
});

describe('the registry client through a faulty network', () => {
  for (const call of ['head', 'tag'] as const) {
    it.each(cases)(`${call}: %s`, async (_name, c) => {
      expectJudged(await registryClient(bed.registry, call, c), c, registryCallNamed[call]);
    });
  }
});
