// One AWS client configuration for every action (the SDK makes one attempt: retries are ours), and
// the partition and console host a region belongs to.
import { describe, expect, it } from 'vitest';
import {
  clientConfig,
  codeDeployConsoleUrl,
  consoleOrigin,
  ecsConsoleUrl,
  partitionOf,
  resolvedRegion,
} from '../../packages/aws/src/clients.ts';

describe('partitionOf and consoleOrigin', () => {
  it.each([
    { region: 'us-east-1', partition: 'aws', origin: 'https://us-east-1.console.aws.amazon.com' },
    { region: 'eu-central-2', partition: 'aws', origin: 'https://eu-central-2.console.aws.amazon.com' },
    { region: 'ap-southeast-5', partition: 'aws', origin: 'https://ap-southeast-5.console.aws.amazon.com' },
    { region: 'cn-north-1', partition: 'aws-cn', origin: 'https://console.amazonaws.cn' },
    { region: 'cn-northwest-1', partition: 'aws-cn', origin: 'https://console.amazonaws.cn' },
    { region: 'us-gov-west-1', partition: 'aws-us-gov', origin: 'https://console.amazonaws-us-gov.com' },
    { region: 'us-gov-east-1', partition: 'aws-us-gov', origin: 'https://console.amazonaws-us-gov.com' },
  ])('$region is in $partition', ({ region, partition, origin }) => {
    expect(partitionOf(region)).toBe(partition);
    expect(consoleOrigin(region)).toBe(origin);
  });

  // The isolated partitions' consoles are not public: only the partition is asserted.
  it.each([
    { region: 'us-iso-east-1', partition: 'aws-iso' },
    { region: 'us-isob-east-1', partition: 'aws-iso-b' },
  ])('$region is in $partition', ({ region, partition }) => {
    expect(partitionOf(region)).toBe(partition);
  });
});

describe('console links', () => {
  it.each([
    {
      region: 'us-west-2',
      ecs: 'https://us-west-2.console.aws.amazon.com/ecs/v2/clusters/shop/services/web/deployments?region=us-west-2',
      codedeploy: 'https://us-west-2.console.aws.amazon.com/codesuite/codedeploy/deployments/d-7Q2WV3H5X?region=us-west-2',
    },
    {
      region: 'cn-north-1',
      ecs: 'https://console.amazonaws.cn/ecs/v2/clusters/shop/services/web/deployments?region=cn-north-1',
      codedeploy: 'https://console.amazonaws.cn/codesuite/codedeploy/deployments/d-7Q2WV3H5X?region=cn-north-1',
    },
  ])('in $region', ({ region, ecs, codedeploy }) => {
    expect(ecsConsoleUrl(region, 'shop', 'web')).toBe(ecs);
    expect(codeDeployConsoleUrl(region, 'd-7Q2WV3H5X')).toBe(codedeploy);
  });

  it('escapes names that are not URL-safe', () => {
    expect(ecsConsoleUrl('us-east-1', 'a/b', 'c d')).toBe(
      'https://us-east-1.console.aws.amazon.com/ecs/v2/clusters/a%2Fb/services/c%20d/deployments?region=us-east-1',
    );
  });
});

describe('clientConfig', () => {
  const credentials = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' };
  it.each([
    { name: 'nothing: the SDK chain decides', options: undefined, config: { maxAttempts: 1 } },
    { name: 'a region as a string', options: 'eu-west-1', config: { region: 'eu-west-1', maxAttempts: 1 } },
    { name: 'an empty region is no region', options: { region: '' }, config: { maxAttempts: 1 } },
    {
      name: 'region, endpoint and credentials',
      options: { region: 'us-east-1', endpoint: 'http://127.0.0.1:5000', credentials },
      config: { region: 'us-east-1', endpoint: 'http://127.0.0.1:5000', credentials, maxAttempts: 1 },
    },
  ])('$name', ({ options, config }) => {
    // toStrictEqual: keys left unset must be absent, not undefined (the SDK would take undefined as set).
    expect(clientConfig(options)).toStrictEqual(config);
  });
});

describe('resolvedRegion', () => {
  it.each([
    { name: 'the region the SDK resolved', region: async () => 'ap-northeast-1', expected: 'ap-northeast-1' },
    { name: "'' when the SDK finds none", region: async () => Promise.reject(new Error('Region is missing')), expected: '' },
  ])('$name', async ({ region, expected }) => {
    expect(await resolvedRegion({ config: { region } })).toBe(expected);
  });
});
