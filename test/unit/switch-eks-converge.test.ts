// countEndpoints: after a selector switch, the stable Service's endpoints split into the target's
// pods (and how many of them are ready) and the rest, whatever their condition.
import { describe, expect, it } from 'vitest';
import { countEndpoints } from '../../actions/bluegreen-switch/src/eks/converge.ts';
import { endpointSlice } from './eks-fixtures.ts';

const target = new Set(['shop-green-7d9f-a', 'shop-green-7d9f-b']);

describe('countEndpoints', () => {
  it.each([
    [
      'only the target’s ready pods: converged',
      [
        endpointSlice('shop', [
          ['shop-green-7d9f-a', true],
          ['shop-green-7d9f-b', true],
        ]),
      ],
      { target: 2, other: 0, ready: 2 },
    ],
    ['ready unset counts as ready', [endpointSlice('shop', [['shop-green-7d9f-a', undefined]])], { target: 1, other: 0, ready: 1 }],
    [
      'a target pod not ready yet',
      [
        endpointSlice('shop', [
          ['shop-green-7d9f-a', true],
          ['shop-green-7d9f-b', false],
        ]),
      ],
      { target: 2, other: 0, ready: 1 },
    ],
    [
      'a terminating target pod is not ready',
      [endpointSlice('shop', [['shop-green-7d9f-a', true, { terminating: true }]])],
      { target: 1, other: 0, ready: 0 },
    ],
    [
      'an old pod draining still counts as other',
      [
        endpointSlice('shop', [
          ['shop-green-7d9f-a', true],
          ['shop-blue-5c4b-x', false, { terminating: true }],
        ]),
      ],
      { target: 1, other: 1, ready: 1 },
    ],
    [
      'endpoints over several slices',
      [
        endpointSlice('shop', [['shop-blue-5c4b-x', true]]),
        endpointSlice('shop', [
          ['shop-green-7d9f-a', true],
          ['shop-green-7d9f-b', true],
        ]),
      ],
      { target: 2, other: 1, ready: 2 },
    ],
    ['no slice yet', [], { target: 0, other: 0, ready: 0 }],
  ])('%s', (_, slices, count) => {
    expect(countEndpoints(slices, target)).toEqual(count);
  });

  it('an endpoint without a pod reference is someone else’s', () => {
    const slice = endpointSlice('shop', [['shop-green-7d9f-a', true]]);
    slice.endpoints = [...(slice.endpoints ?? []), { addresses: ['10.0.0.5'], conditions: { ready: true } }];
    expect(countEndpoints([slice], target)).toEqual({ target: 1, other: 1, ready: 1 });
  });
});
