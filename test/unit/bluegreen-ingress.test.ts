// The Ingress route as pure functions: which paths belong to a service, what they send where
// (plain backend or ALB forward action), and the next step's rules and annotation.
import type { V1Ingress } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import {
  canaryStepsProblem,
  forwardActionAnnotation,
  parsePathFilter,
  rulesWithBackend,
  serviceBackend,
  canaryBackend,
  servicePaths,
  trafficAcross,
} from '@expeditor/bluegreen/ingress';
import { canaryIngress, shopIngress, thrown } from './eks-fixtures.ts';

describe('parsePathFilter', () => {
  it.each([
    ['/', { host: undefined, path: '/' }],
    ['/api', { host: undefined, path: '/api' }],
    ['/api/v1', { host: undefined, path: '/api/v1' }],
    ['shop.example.com', { host: 'shop.example.com', path: '/' }],
    ['shop.example.com/', { host: 'shop.example.com', path: '/' }],
    ['shop.example.com/api', { host: 'shop.example.com', path: '/api' }],
    ['*.example.com/api/v1', { host: '*.example.com', path: '/api/v1' }],
  ])('%s → %j', (text, filter) => {
    expect(parsePathFilter(text)).toEqual(filter);
  });
});

describe('servicePaths', () => {
  it.each([
    ['every path of the service', undefined, ['/', '/api'], { kind: 'backend', color: 'blue', port: { number: 80 } }],
    ['one path by /path', '/api', ['/api'], { kind: 'backend', color: 'blue', port: { number: 80 } }],
    ['one path by host/path', 'shop.example.com/', ['/'], { kind: 'backend', color: 'blue', port: { number: 80 } }],
  ])('%s', (_, filter, paths, traffic) => {
    const found = servicePaths(shopIngress('blue'), 'shop', filter ? parsePathFilter(filter) : undefined, filter);
    expect(found.paths.map((p) => p.path)).toEqual(paths);
    expect(found.paths.map((p) => [p.rule, p.index])).toEqual(paths.map((p) => [0, p === '/' ? 0 : 1]));
    expect(found.traffic).toEqual(traffic);
  });

  it('reads the weights of a canary back from the forward action', () => {
    const found = servicePaths(canaryIngress(90, 10), 'shop', undefined);
    expect(found.traffic).toEqual({ kind: 'canary', weights: { blue: 90, green: 10 }, live: 'blue', port: { number: 80 } });
    expect(servicePaths(canaryIngress(20, 80), 'shop', undefined).traffic).toMatchObject({ live: 'green' });
  });

  it.each([
    [
      'a path that does not exist',
      'shop',
      '/nope',
      'ingress-path',
      /has no path \/nope \(its paths: shop\.example\.com\/, shop\.example\.com\/api, shop\.example\.com\/admin\)/,
    ],
    ['a path of another service', 'shop', '/admin', 'ingress-path', /routes to Service admin, not to shop-blue or shop-green/],
    ['another host', 'shop', 'other.example.com/api', 'ingress-path', /has no path other\.example\.com\/api/],
    ['a service with no path', 'cart', undefined, 'ingress', /no path of Ingress shop routes to cart-blue or cart-green/],
  ])('%s is an error naming the input', (_, service, filter, input, message) => {
    const error = thrown(() => servicePaths(shopIngress('blue'), service, filter ? parsePathFilter(filter) : undefined, filter));
    expect(error.input).toBe(input);
    expect(error.message).toMatch(message);
    expect(error.unchanged).toBe('nothing was changed');
  });

  it('paths that disagree are an error', () => {
    const ingress = shopIngress('blue');
    const api = ingress.spec?.rules?.[0]?.http?.paths[1];
    if (api?.backend.service) api.backend.service.name = 'shop-green';
    const error = thrown(() => servicePaths(ingress, 'shop', undefined));
    expect(error.message).toMatch(/disagree: shop\.example\.com\/ sends traffic to blue, shop\.example\.com\/api to green/);
    expect(error.input).toBe('ingress-path');
  });

  it.each([
    ['missing', undefined, /annotation alb\.ingress\.kubernetes\.io\/actions\.shop-canary is missing/],
    ['not JSON', 'forward to green', /is not a forward action/],
    ['a fixed response', JSON.stringify({ type: 'fixed-response', fixedResponseConfig: { statusCode: '503' } }), /is not a forward action/],
  ])('a canary action whose annotation is %s is an error', (_, text, message) => {
    const ingress = canaryIngress(50, 50);
    const annotations = ingress.metadata?.annotations ?? {};
    if (text === undefined) delete annotations['alb.ingress.kubernetes.io/actions.shop-canary'];
    else annotations['alb.ingress.kubernetes.io/actions.shop-canary'] = text;
    expect(thrown(() => servicePaths(ingress, 'shop', undefined)).message).toMatch(message);
  });
});

describe('trafficAcross', () => {
  const other = (name: string, backend: string): V1Ingress => ({
    metadata: { name },
    spec: {
      rules: [{ http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: backend, port: { number: 80 } } } }] } }],
    },
  });

  it.each([
    [
      'one Ingress on blue',
      [shopIngress('blue')],
      { blue: 200, green: 0 },
      ['Ingress shop shop.example.com/', 'Ingress shop shop.example.com/api'],
    ],
    [
      'one Ingress on green',
      [shopIngress('green')],
      { blue: 0, green: 200 },
      ['Ingress shop shop.example.com/', 'Ingress shop shop.example.com/api'],
    ],
    [
      'a canary half-way',
      [canaryIngress(70, 30)],
      { blue: 140, green: 60 },
      ['Ingress shop shop.example.com/ (canary action shop-canary)', 'Ingress shop shop.example.com/api (canary action shop-canary)'],
    ],
    [
      'two Ingresses disagreeing',
      [other('a', 'shop-blue'), other('b', 'shop-green')],
      { blue: 100, green: 100 },
      ['Ingress a */', 'Ingress b */'],
    ],
    ['only other services', [other('a', 'cart-blue'), other('b', 'shop')], undefined, undefined],
    ['no Ingress', [], undefined, undefined],
  ])('%s', (_, ingresses, weights, where) => {
    const traffic = trafficAcross(ingresses, 'shop');
    expect(traffic?.weights).toEqual(weights);
    expect(traffic?.where).toEqual(where);
  });
});

describe('forwardActionAnnotation', () => {
  it.each([
    [10, { number: 80 }, '80', [90, 10]],
    [50, { name: 'http' }, 'http', [50, 50]],
    [100, { number: 8080 }, '8080', [0, 100]],
  ])('%i%% to the target on port %j', (weight, port, servicePort, [live, target]) => {
    const action = JSON.parse(forwardActionAnnotation('shop', 'blue', 'green', weight, port)) as unknown;
    expect(action).toEqual({
      type: 'forward',
      forwardConfig: {
        targetGroups: [
          { serviceName: 'shop-blue', servicePort, weight: live },
          { serviceName: 'shop-green', servicePort, weight: target },
        ],
        targetGroupStickinessConfig: { enabled: false },
      },
    });
  });

  it('reads back as the weights it was written with', () => {
    const ingress = canaryIngress(0, 0);
    (ingress.metadata?.annotations ?? {})['alb.ingress.kubernetes.io/actions.shop-canary'] = forwardActionAnnotation(
      'shop',
      'green',
      'blue',
      25,
      { number: 80 },
    );
    expect(servicePaths(ingress, 'shop', undefined).traffic).toEqual({
      kind: 'canary',
      weights: { blue: 25, green: 75 },
      live: 'green',
      port: { number: 80 },
    });
  });
});

describe('rulesWithBackend', () => {
  it.each([
    ['the color Service', serviceBackend('shop-green', { number: 80 }), { service: { name: 'shop-green', port: { number: 80 } } }],
    ['a named port', serviceBackend('shop-green', { name: 'http' }), { service: { name: 'shop-green', port: { name: 'http' } } }],
    ['the canary action', canaryBackend('shop'), { service: { name: 'shop-canary', port: { name: 'use-annotation' } } }],
  ])('moves only the chosen paths to %s, on a copy', (_, backend, expected) => {
    const ingress = shopIngress('blue');
    const before = structuredClone(ingress);
    const { paths } = servicePaths(ingress, 'shop', parsePathFilter('/api'), '/api');
    const rules = rulesWithBackend(ingress, paths, backend);
    expect(rules[0]?.http?.paths.map((p) => p.backend)).toEqual([
      { service: { name: 'shop-blue', port: { number: 80 } } },
      expected,
      { service: { name: 'admin', port: { name: 'http' } } },
    ]);
    expect(rules[0]?.http?.paths[1]?.pathType).toBe('Prefix');
    expect(ingress).toEqual(before);
  });
});

describe('canaryStepsProblem', () => {
  it.each([
    [[10, 50, 100], undefined],
    [[100], undefined],
    [[1, 2, 100], undefined],
    [[], 'expected at least one weight'],
    [[10, 50], 'expected the last weight to be 100, got 50'],
    [[50, 10, 100], 'expected increasing weights, got 50,10,100'],
    [[10, 10, 100], 'expected increasing weights, got 10,10,100'],
    [[0, 100], 'expected whole percentages from 1 to 100, got 0'],
    [[10, 101], 'expected whole percentages from 1 to 100, got 101'],
    [[12.5, 100], 'expected whole percentages from 1 to 100, got 12.5'],
    [[Number.NaN, 100], 'expected whole percentages from 1 to 100, got NaN'],
  ])('%j → %s', (steps, problem) => {
    expect(canaryStepsProblem(steps)).toBe(problem);
  });
});
