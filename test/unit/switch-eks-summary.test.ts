import { describe, expect, it } from 'vitest';
import { Settings } from '@expeditor/shared/settings';
import type { EksSwitchPlan } from '../../actions/bluegreen-switch/src/eks/plan.ts';
import { eksSwitchSummary } from '../../actions/bluegreen-switch/src/eks/summary.ts';
import type { EksSwitchOptions, EksSwitchResult } from '../../actions/bluegreen-switch/src/eks/types.ts';

const base: EksSwitchOptions = {
  action: 'switch',
  route: 'service',
  namespace: 'shop',
  service: 'web',
  stableService: 'web',
  previewService: 'web-preview',
  colorLabel: 'expeditor.dev/color',
  stepPauseMs: 0,
  keepMs: 0,
  removePreview: false,
  commit: 'abc',
} as EksSwitchOptions;

const planOf = (options: Partial<EksSwitchOptions>): EksSwitchPlan =>
  ({ options: { ...base, ...options }, environment: 'prod', settings: new Settings() }) as unknown as EksSwitchPlan;

const result: EksSwitchResult = {
  action: 'switch',
  route: 'service',
  from: 'blue',
  to: 'green',
  switched: true,
  convergenceMs: 1200,
  note: 'done',
};

describe('the EKS switch summary names what was switched', () => {
  it.each([
    ['a Service selector', {}, '| **Service** | web |', 'route service'],
    ['an Ingress path', { route: 'ingress', ingress: 'shop', ingressPath: '/api' }, '| **Ingress** | shop (/api) |', 'route ingress'],
    ['an Argo Rollout', { rollout: 'web-rollout' }, '| **Rollout** | web-rollout |', 'Argo Rollout'],
  ] as const)('%s', (_, options, row, heading) => {
    const markdown = eksSwitchSummary(planOf(options as Partial<EksSwitchOptions>), { result }, 3000, 'prod-cluster').toMarkdown();
    expect(markdown).toContain(row);
    expect(markdown.split('\n')[0]).toContain(heading);
    expect(markdown).not.toContain('| **Service** | — |');
  });

  it('names the Rollout when the run failed too', () => {
    const markdown = eksSwitchSummary(
      planOf({ rollout: 'web-rollout' }),
      { error: new Error('aborted') },
      3000,
      'prod-cluster',
    ).toMarkdown();
    expect(markdown).toContain('| **Rollout** | web-rollout |');
    expect(markdown).toContain('failed');
  });
});
