// The whole fault matrix of assume-env, deployment-record and the registry client (the suite runs
// a short share of it: test/e2e/faults-clients.test.ts): throttling, 503, a reset before the
// request is sent and after the server acted, on the call's first request and on every request,
// and an answer held past the run's deadline; per call, the cases, then per client: runs,
// completed, duplicate writes, wrong end states and leaked secrets. Goal: every once-fault
// completes, nothing is written twice, nothing leaks, and every run that stops names the call.
import { startBed } from '../test/bed/index.ts';
import { assumeEnv, deploymentRecord, type EdgeOutcome, faultCases, matrixTable, registryClient } from '../test/e2e/fault-clients.ts';
import { printTable } from './stats.ts';

const bed = await startBed(['oidc', 'moto', 'registry', 'github']);
const outcomes: EdgeOutcome[] = [];
try {
  for (const c of faultCases) {
    for (const call of ['oidc-token', 'sts'] as const) outcomes.push(await assumeEnv(bed, call, c));
    for (const call of ['create', 'status'] as const) outcomes.push(await deploymentRecord(bed.github, call, c));
    for (const call of ['head', 'tag'] as const) outcomes.push(await registryClient(bed.registry, call, c));
  }
} finally {
  await bed.stop();
}
console.log(`\nFault matrix (assume-env, deployment-record, registry client)\n${matrixTable(outcomes)}\n`);
const clients = ['assume-env', 'deployment-record', 'registry client'];
printTable(
  'Per client (goal: every fault once completed, 0 duplicates, 0 wrong ends, 0 leaks)',
  ['client', 'runs', 'completed', 'of which a fault once', 'duplicates', 'wrong ends', 'leaks'],
  clients.map((client) => {
    const mine = outcomes.filter((o) => o.scenario.startsWith(client));
    const once = mine.filter((o) => o.fault.endsWith(' once'));
    return [
      client,
      String(mine.length),
      String(mine.filter((o) => o.completed).length),
      `${once.filter((o) => o.completed).length}/${once.length}`,
      String(mine.reduce((sum, o) => sum + o.duplicates, 0)),
      String(mine.filter((o) => o.wrongEnd).length),
      String(mine.reduce((sum, o) => sum + o.leaked.length, 0)),
    ];
  }),
);
