// The EKS switch's use of the analysis: the probe-url input as a step check, and the look before
// any traffic moves refusing a run whose timeout leaves no room for the windows.
import { describe, expect, it } from 'vitest';
import { memoryLog } from '../../packages/shared/src/log.ts';
import { ExpeditorError } from '../../packages/shared/src/errors.ts';
import { planAnalysis } from '../../packages/analysis/src/plan.ts';
import { createAnalysis } from '../../packages/analysis/src/analysis.ts';
import { probeCheck, switchAnalysis, verifyAnalysis } from '../../actions/bluegreen-switch/src/eks/analysis.ts';
import type { EksSwitchDeps, EksSwitchOptions } from '../../actions/bluegreen-switch/src/eks/types.ts';

const deps = (over: Partial<EksSwitchDeps> = {}): EksSwitchDeps =>
  ({ kube: undefined as never, log: memoryLog(), signal: new AbortController().signal, ...over }) as EksSwitchDeps;
const opts = (over: Partial<EksSwitchOptions> = {}): EksSwitchOptions =>
  ({
    action: 'switch',
    route: 'ingress',
    namespace: 'prod',
    service: 'shop',
    colorLabel: 'version',
    stepPauseMs: 0,
    keepMs: 0,
    removePreview: false,
    commit: '',
    runUrl: '',
    ...over,
  }) as EksSwitchOptions;

describe('analysis in the EKS switch', () => {
  it('the probe-url input is an HTTP check at each step: measured once, no answer fails at once', () => {
    const probe = probeCheck('https://shop.example.com/healthz', 5000);
    expect(probe).toMatchObject({
      name: 'probe',
      at: ['step'],
      source: { provider: 'http', url: 'https://shop.example.com/healthz', timeoutMs: 5000 },
    });
    expect(probe.limits).toEqual({ count: 1, failureLimit: 0, inconclusiveLimit: 0, consecutiveErrorLimit: 0 });
    expect(probe.success?.text).toBe('result >= 200 && result < 300');
  });

  it('a rollback or a switch without checks runs no analysis', () => {
    const checks = planAnalysis({ checks: [{ name: 'up', provider: 'http', url: 'http://x/' }] }, { input: 'analysis' });
    expect(switchAnalysis(opts(), deps())).toBeUndefined();
    expect(switchAnalysis(opts({ action: 'rollback', analysis: checks }), deps())).toBeUndefined();
    expect(switchAnalysis(opts({ analysis: checks, probeUrl: 'http://x/health' }), deps())?.checks.map((c) => c.name)).toEqual([
      'up',
      'probe',
    ]);
  });

  it('refuses before any traffic moves when the run’s timeout leaves no room for the windows', async () => {
    const checks = planAnalysis(
      { checks: [{ name: 'up', provider: 'http', url: 'http://x/', interval: '10s', count: 7 }] },
      { input: 'analysis' },
    );
    const analysis = createAnalysis(checks, { log: memoryLog() });
    const now = 1_000_000;
    const args = { color: 'green', service: 'shop', namespace: 'prod' };
    // pre 60 s + 3 steps × (60 s + 5 s pause) + post 60 s = 315 s.
    const plan = { steps: 3, stepPauseMs: 5000, unchanged: 'Ingress web still sends all traffic to blue; nothing was changed' };
    const error = await verifyAnalysis(analysis, args, deps({ deadlineAt: now + 300_000, now: () => now }), plan).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ExpeditorError);
    expect((error as ExpeditorError).message).toBe(
      "the analysis needs at least 5 min 15 s (its windows: count × interval at each moment), but the run's timeout leaves 5 min",
    );
    expect((error as ExpeditorError).input).toBe('timeout');
    await expect(verifyAnalysis(analysis, args, deps({ deadlineAt: now + 316_000, now: () => now }), plan)).resolves.toBeUndefined();
  });
});
