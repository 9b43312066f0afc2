// The Ingress route's decisions on plain objects: the Ingress's paths and live color, and what
// is wrong with the target color's Service before its pods are looked at.
import { describe, expect, it } from 'vitest';
import { colorServiceProblems, ingressState } from '../../actions/bluegreen-switch/src/eks/ingress-route.ts';
import { canaryIngress, colorService, shopIngress, stableService, thrown } from './eks-fixtures.ts';

const opts = { namespace: 'prod', ingress: 'shop', service: 'shop', ingressPath: undefined as string | undefined };

describe('ingressState', () => {
  it.each([
    ['every path of the service, on blue', shopIngress('blue'), undefined, ['/', '/api'], 'blue'],
    ['one path, on green', shopIngress('green'), '/api', ['/api'], 'green'],
    ['a canary, the heavier side live', canaryIngress(30, 70), undefined, ['/', '/api'], 'green'],
  ])('%s', (_, ingress, ingressPath, paths, live) => {
    const state = ingressState(ingress, { ...opts, ingressPath });
    expect(state.paths.paths.map((p) => p.path)).toEqual(paths);
    expect(state.live).toBe(live);
  });

  it.each([
    ['a missing Ingress', undefined, undefined, 'ingress', 'Ingress shop does not exist in namespace prod'],
    ['a path it does not have', shopIngress('blue'), '/nope', 'ingress-path', /has no path \/nope/],
  ])('%s is an error naming the input', (_, ingress, ingressPath, input, message) => {
    const error = thrown(() => ingressState(ingress, { ...opts, ingressPath }));
    expect(error.input).toBe(input);
    expect(error.message).toMatch(message);
  });
});

describe('colorServiceProblems', () => {
  it.each([
    ['fine by port number', colorService('shop-green', 'green'), { number: 80 }, { problems: [], selects: true }],
    ['fine by port name', colorService('shop-green', 'green'), { name: 'http' }, { problems: [], selects: true }],
    [
      'missing',
      undefined,
      { number: 80 },
      { problems: ["Service shop-green (the green color's Service the Ingress would use) does not exist"], selects: false },
    ],
    [
      'on the other color',
      colorService('shop-green', 'blue'),
      { number: 80 },
      { problems: ['Service shop-green selects app=shop,version=blue, not version=green'], selects: false },
    ],
    [
      'without the port',
      colorService('shop-green', 'green'),
      { number: 8443 },
      { problems: ['Service shop-green has no port 8443, which the Ingress path uses'], selects: true },
    ],
    [
      'without the named port',
      colorService('shop-green', 'green'),
      { name: 'https' },
      { problems: ['Service shop-green has no port https, which the Ingress path uses'], selects: true },
    ],
    [
      'selecting no color and without the port',
      stableService(null),
      { number: 8443 },
      {
        problems: [
          'Service shop-green selects app=shop, not version=green',
          'Service shop-green has no port 8443, which the Ingress path uses',
        ],
        selects: false,
      },
    ],
  ])('%s', (_, svc, port, expected) => {
    expect(colorServiceProblems(svc, 'shop-green', 'green', 'version', port)).toEqual(expected);
  });
});
