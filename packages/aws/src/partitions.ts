// Partitions and their endpoint domains, apart from the client configuration so that a module that
// needs only these (speculative.ts, before the SDK loads) does not load the proxy agents.

export type Partition = 'aws' | 'aws-cn' | 'aws-us-gov' | 'aws-iso' | 'aws-iso-b';

/** The partition a region belongs to: it decides ARNs and console hosts. */
export function partitionOf(region: string): Partition {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  if (region.startsWith('us-isob-')) return 'aws-iso-b';
  if (region.startsWith('us-iso-')) return 'aws-iso';
  return 'aws';
}

/** The domain a region's service endpoints end with (`sts.<region>.<this>`). */
export function dnsSuffixOf(region: string): string {
  switch (partitionOf(region)) {
    case 'aws-cn':
      return 'amazonaws.com.cn';
    case 'aws-iso':
      return 'c2s.ic.gov';
    case 'aws-iso-b':
      return 'sc2s.sgov.gov';
    default:
      return 'amazonaws.com';
  }
}
