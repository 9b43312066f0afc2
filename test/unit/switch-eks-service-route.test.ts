// The service route's decisions on plain objects: the live color from the stable Service's
// selector, and which preview Service's endpoints the guard checks.
import { describe, expect, it } from 'vitest';
import { previewToCheck, stableService as liveOfStable } from '../../actions/bluegreen-switch/src/eks/service-route.ts';
import { colorService, stableService, thrown } from './eks-fixtures.ts';

const opts = { namespace: 'prod', service: 'shop', stableService: 'shop', colorLabel: 'version' };

describe('stableService', () => {
  it.each([
    ['blue', stableService('blue'), 'version', 'blue'],
    ['green', stableService('green'), 'version', 'green'],
    ['another label key', stableService('green', 'track'), 'track', 'green'],
  ])('a Service selecting %s', (_, service, colorLabel, live) => {
    const stable = liveOfStable(service, { ...opts, colorLabel });
    expect(stable.live).toBe(live);
    expect(stable.selector).toEqual({ app: 'shop', [colorLabel]: live });
  });

  it.each([
    ['no Service', undefined, 'version', 'service', 'Service shop does not exist in namespace prod'],
    [
      'a selector without the color label',
      stableService(null),
      'version',
      'color-label',
      "the selector of Service shop (app=shop) has no color label 'version'",
    ],
    [
      'the wrong label key',
      stableService('blue', 'track'),
      'version',
      'color-label',
      "the selector of Service shop (app=shop,track=blue) has no color label 'version'",
    ],
    [
      'a color that is not blue or green',
      stableService('canary'),
      'version',
      'service',
      'Service shop selects version=canary, which is neither blue nor green',
    ],
  ])('%s is an error naming the input', (_, service, colorLabel, input, message) => {
    const error = thrown(() => liveOfStable(service, { ...opts, colorLabel }));
    expect(error.input).toBe(input);
    expect(error.message).toBe(message);
  });
});

describe('stableService of another name (stable-service)', () => {
  it('reads that Service; a missing one names the stable-service input', () => {
    const renamed = { ...opts, stableService: 'shop-web' };
    const error = thrown(() => liveOfStable(undefined, renamed));
    expect([error.input, error.message]).toEqual(['stable-service', 'Service shop-web does not exist in namespace prod']);
    const web = stableService('green');
    web.metadata = { ...web.metadata, name: 'shop-web' };
    expect(liveOfStable(web, renamed).live).toBe('green');
  });
});

describe('previewToCheck', () => {
  it.each([
    ['a preview on the target', colorService('shop-preview', 'green'), { service: 'shop-preview' }],
    [
      'a preview on the live color',
      colorService('shop-preview', 'blue'),
      { service: undefined, why: "preview Service shop-preview points at blue, not green: checking green's pods directly" },
    ],
    ['no preview', undefined, { service: undefined, why: "no preview Service shop-preview: checking green's pods directly" }],
  ])('%s', (_, preview, chosen) => {
    expect(previewToCheck(preview, 'shop-preview', 'green', 'version')).toEqual(chosen);
  });

  it('a preview without the color label', () => {
    expect(previewToCheck(stableService(null), 'shop-preview', 'green', 'version').why).toBe(
      "preview Service shop-preview points at no color, not green: checking green's pods directly",
    );
  });
});
