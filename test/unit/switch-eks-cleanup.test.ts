// Cleanup's decisions on plain objects: never the live color, the keep period from the recorded
// switch (and within the run's deadline), what to do with the idle Deployment, no cleanup mid-canary.
import { describe, expect, it } from 'vitest';
import {
  checkCleanupTarget,
  ingressLiveState,
  keepWaitMs,
  scaleDownDecision,
  type LiveState,
} from '../../actions/bluegreen-switch/src/eks/cleanup.ts';
import { ingressState } from '../../actions/bluegreen-switch/src/eks/ingress-route.ts';
import { canaryIngress, liveDeployment, shopIngress, thrown } from './eks-fixtures.ts';

const switchedAt = new Date('2025-12-01T09:00:00.000Z');
const live = (color: 'blue' | 'green', at: Date | null = switchedAt): LiveState => ({
  live: color,
  record: { previousColor: color === 'blue' ? 'green' : 'blue', switchedAt: at ?? undefined, commit: undefined, runUrl: undefined },
  what: 'Service shop',
});
const minutes = (n: number) => n * 60_000;

describe('checkCleanupTarget', () => {
  it.each([
    [undefined, 'blue'],
    ['green', 'blue'],
  ] as const)('asking for %s while %s is live is fine', (asked, color) => {
    expect(() => checkCleanupTarget(asked, live(color))).not.toThrow();
  });

  it('asking for the live color is an error naming target-color', () => {
    const error = thrown(() => checkCleanupTarget('blue', live('blue')));
    expect(error.message).toBe('blue is the live color of Service shop: cleanup never scales the live color down');
    expect(error.input).toBe('target-color');
    expect(error.next).toMatch(/cleanup scales the idle color, green/);
  });
});

describe('keepWaitMs', () => {
  const t = switchedAt.getTime();
  it.each([
    ['no keep period', 0, t + minutes(1), undefined, 0],
    ['the keep period is over', minutes(30), t + minutes(45), undefined, 0],
    ['ends exactly now', minutes(30), t + minutes(30), undefined, 0],
    ['10 more minutes, within the deadline', minutes(30), t + minutes(20), t + minutes(60), minutes(10)],
    ['10 more minutes, no deadline known', minutes(30), t + minutes(20), undefined, minutes(10)],
    ['ends exactly at the deadline', minutes(30), t + minutes(20), t + minutes(30), minutes(10)],
  ])('%s → wait %i ms', (_, keepMs, now, deadlineAt, wait) => {
    expect(keepWaitMs({ keepMs, live: live('blue'), now, deadlineAt })).toBe(wait);
  });

  it.each([
    [
      'no recorded switch time',
      live('blue', null),
      undefined,
      /Service shop has no recorded switch time \(annotation expeditor\.dev\/switched-at\)/,
      'nothing was changed',
    ],
    [
      'a keep period ending after the deadline',
      live('blue'),
      switchedAt.getTime() + minutes(25),
      /green has been idle since 2025-12-01T09:00:00\.000Z; the keep period of .* ends at 2025-12-01T09:30:00\.000Z, after this run's deadline/,
      'nothing was changed; green keeps running as a hot standby',
    ],
  ])('%s is an error naming keep', (_, state, deadlineAt, message, unchanged) => {
    const error = thrown(() => keepWaitMs({ keepMs: minutes(30), live: state, now: switchedAt.getTime() + minutes(5), deadlineAt }));
    expect(error.message).toMatch(message);
    expect(error.input).toBe('keep');
    expect(error.unchanged).toBe(unchanged);
  });
});

describe('scaleDownDecision', () => {
  const zero = liveDeployment('green', 0);
  const unset = liveDeployment('green');
  delete unset.spec?.replicas;
  it.each([
    ['a running idle color', liveDeployment('green', 4), { replicas: 4, resourceVersion: '918273' }],
    ['replicas unset (1 by default)', unset, { replicas: 1, resourceVersion: '918273' }],
    ['already at zero', zero, { note: 'Deployment shop-green is already scaled to zero' }],
    ['no Deployment', undefined, { note: 'Deployment shop-green does not exist; nothing to scale down' }],
  ])('%s', (_, deployment, decision) => {
    expect(scaleDownDecision('shop-green', deployment)).toEqual(decision);
  });
});

describe('ingressLiveState', () => {
  const opts = { namespace: 'prod', ingress: 'shop', service: 'shop', ingressPath: undefined };
  it('a plain backend: its color, and the record on the Ingress', () => {
    const ingress = shopIngress('green', { 'expeditor.dev/previous-color': 'blue', 'expeditor.dev/switched-at': switchedAt.toISOString() });
    expect(ingressLiveState(opts, ingressState(ingress, opts))).toEqual({
      live: 'green',
      record: { previousColor: 'blue', switchedAt, commit: undefined, runUrl: undefined },
      what: 'Ingress shop',
    });
  });

  it('a canary half-way is no time to clean up', () => {
    const error = thrown(() => ingressLiveState(opts, ingressState(canaryIngress(50, 50), opts)));
    expect(error.message).toBe('Ingress shop is in the middle of a canary (blue 50% / green 50%): both colors serve');
  });
});
