// CodeDeploy's id for an ECS deployment's target, `cluster:service`, both ways.
import { describe, expect, it } from 'vitest';
import { ecsTargetId, parseEcsTargetId } from '../../packages/codedeploy/src/target.ts';

describe('ecsTargetId', () => {
  it.each([
    { cluster: 'shop', service: 'web', id: 'shop:web' },
    { cluster: 'shop', service: undefined, id: undefined },
    { cluster: undefined, service: 'web', id: undefined },
    { cluster: '', service: 'web', id: undefined },
  ])('$cluster + $service → $id', ({ cluster, service, id }) => {
    expect(ecsTargetId(cluster, service)).toBe(id);
  });
});

describe('parseEcsTargetId', () => {
  it.each([
    { id: 'shop:web', parsed: { cluster: 'shop', service: 'web' } },
    {
      id: 'arn:aws:ecs:us-west-2:123456789012:cluster/shop:web',
      parsed: { cluster: 'arn:aws:ecs:us-west-2:123456789012:cluster/shop', service: 'web' },
    },
    { id: 'shop', parsed: undefined },
    { id: ':web', parsed: undefined },
    { id: 'shop:', parsed: undefined },
    { id: '', parsed: undefined },
    { id: undefined, parsed: undefined },
  ])('$id', ({ id, parsed }) => {
    expect(parseEcsTargetId(id)).toEqual(parsed);
  });

  it('reads back what ecsTargetId writes', () => {
    expect(parseEcsTargetId(ecsTargetId('prod-cluster', 'checkout-api'))).toEqual({ cluster: 'prod-cluster', service: 'checkout-api' });
  });
});
