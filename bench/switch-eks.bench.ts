// EKS switch latency on the bed's real Kubernetes: a service with two colors of N replicas,
// switched back and forth through the action's core (route service). Per switch:
//  - convergence: selector patch sent → the stable Service's EndpointSlices list only target pods
//    (as the action's watch sees it, the figure the action reports as convergence-ms);
//  - whole call: readiness checks + guarded patch + convergence;
//  - API requests and watches the call made.
// Meanwhile a sampler reads the Service's EndpointSlices and Endpoints every few ms from the
// same process (a connection of its own) and counts samples with no ready endpoint (goal 0).
// EXPEDITOR_BENCH_RUNS switches (default 30, at least 20); EXPEDITOR_BENCH_REPLICAS (default 3, also 10 when unset).
import { startBed } from '../test/bed/index.ts';
import { memoryLog } from '../packages/shared/src/log.ts';
import { eksSwitch } from '../actions/bluegreen-switch/src/eks/switch.ts';
import { bedside, options, sampleEndpoints, setUpColors } from '../test/e2e/switch-eks-bed.ts';
import { median, ms, percentile, printTable } from './stats.ts';

const switches = Math.max(20, Number(process.env.EXPEDITOR_BENCH_RUNS ?? 30));
const replicaSets = process.env.EXPEDITOR_BENCH_REPLICAS ? [Number(process.env.EXPEDITOR_BENCH_REPLICAS)] : [3, 10];

const bed = await startBed(['k8s']);
try {
  const b = await bedside(bed.k8s);
  // The sampler has a connection of its own, so the switch's request counts are its own.
  const reader = await bedside(bed.k8s);
  const rows: (string | number)[][] = [];
  for (const replicas of replicaSets) {
    const c = await setUpColors(b, { replicas });
    const converge: number[] = [];
    const whole: number[] = [];
    const requests: number[] = [];
    const watches: number[] = [];
    const sampler = sampleEndpoints(reader, c.ns, c.svc);
    for (let i = 0; i < switches; i++) {
      const stats = { ...b.connection.stats };
      const started = performance.now();
      const r = await eksSwitch(options(c, { runUrl: `https://github.com/acme/shop/actions/runs/${i}` }), {
        kube: b.kube,
        log: memoryLog(),
        signal: new AbortController().signal,
      });
      whole.push(performance.now() - started);
      if (!r.switched || r.convergenceMs === undefined) throw new Error(`switch ${i} did not switch: ${r.note}`);
      converge.push(r.convergenceMs);
      requests.push(b.connection.stats.requests - stats.requests);
      watches.push(b.connection.stats.watches - stats.watches);
    }
    const sampled = await sampler.stop();
    rows.push([
      `${replicas} replicas, ${switches} switches`,
      ms(median(converge)),
      ms(percentile(converge, 95)),
      ms(Math.max(...converge)),
      ms(median(whole)),
      ms(percentile(whole, 95)),
      `${sampled.empty} of ${sampled.samples}`,
    ]);
    console.log(
      `${replicas} replicas: API requests per switch: median ${median(requests)} (max ${Math.max(...requests)}), watch requests per switch: median ${median(watches)}`,
    );
  }
  printTable(
    'EKS switch, route service (bed: kube-apiserver + endpoint controllers + KWOK pods; goal p95 ≤ 1 s, 0 empty samples)',
    ['case', 'converge p50', 'converge p95', 'converge max', 'call p50', 'call p95', 'empty samples'],
    rows,
  );
} finally {
  await bed.stop();
}
