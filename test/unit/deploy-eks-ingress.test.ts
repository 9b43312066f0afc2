// liveFromIngress: on the Ingress route the live color is the one the Ingresses send traffic to.
import type { V1Ingress } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { liveFromIngress } from '../../actions/deploy-eks/src/ingress.ts';
import { canaryIngress, shopIngress, thrown } from './eks-fixtures.ts';

const origin = { key: 'environments.prod.eks.ingress' };
const named = (name: string, ingress: V1Ingress): V1Ingress => ({ ...ingress, metadata: { ...ingress.metadata, name } });

describe('liveFromIngress', () => {
  it.each([
    ['a plain backend on blue', [shopIngress('blue')], undefined, 'blue'],
    ['a plain backend on green', [shopIngress('green')], undefined, 'green'],
    ['a finished canary left on the action (100% green)', [canaryIngress(0, 100)], undefined, 'green'],
    ['a canary rolled back on the action (100% blue)', [canaryIngress(100, 0)], undefined, 'blue'],
    ['no Ingress routes to the service: first deploy', [named('other', shopIngress('blue'))], undefined, undefined, 'cart'],
    ['the named one among several', [named('web', shopIngress('green')), named('old', shopIngress('blue'))], 'web', 'green'],
    ['no Ingress at all', [], undefined, undefined],
  ])('%s → %s', (_, ingresses, name, live, service = 'shop') => {
    expect(liveFromIngress(ingresses, service, name, origin)).toBe(live);
  });

  it.each([
    [
      'a canary half-way',
      [canaryIngress(90, 10)],
      undefined,
      /both colors of shop take traffic .*blue 180, green 20.*: no color is idle/,
      'services',
    ],
    [
      'two Ingresses on different colors',
      [named('a', shopIngress('blue')), named('b', shopIngress('green'))],
      undefined,
      /both colors of shop take traffic \(Ingress a shop\.example\.com\/, Ingress a shop\.example\.com\/api, Ingress b/,
      'services',
    ],
    ['a named Ingress that does not exist', [shopIngress('blue')], 'edge', /Ingress edge does not exist/, undefined],
  ])('%s is an error', (_, ingresses, name, message, input) => {
    const error = thrown(() => liveFromIngress(ingresses, 'shop', name, origin));
    expect(error.message).toMatch(message);
    expect(error.input).toBe(input);
    expect(error.unchanged).toBe('nothing was changed');
    if (name) expect(error.key).toBe(origin.key);
  });
});
