// The EKS token is a presigned STS URL: the cluster's authenticator calls the host it names, so
// it must be the regional STS endpoint of the cluster's own partition (China's end in .com.cn).
import { describe, expect, it } from 'vitest';
import { eksTokenPrefix, makeEksToken } from '../../packages/kube/src/eks-token.ts';

const credentials = { accessKeyId: 'AKIAEXAMPLE', secretAccessKey: 'not-a-real-secret' };

async function signedUrl(region: string, stsEndpoint?: string): Promise<URL> {
  const { token } = await makeEksToken({ cluster: 'shop', region, credentials, stsEndpoint, now: new Date('2026-12-01T12:00:00Z') });
  expect(token.startsWith(eksTokenPrefix)).toBe(true);
  return new URL(Buffer.from(token.slice(eksTokenPrefix.length), 'base64url').toString('utf8'));
}

describe('the STS host an EKS token is signed for', () => {
  it.each([
    ['us-west-2', 'sts.us-west-2.amazonaws.com'],
    ['cn-north-1', 'sts.cn-north-1.amazonaws.com.cn'],
    ['cn-northwest-1', 'sts.cn-northwest-1.amazonaws.com.cn'],
    ['us-gov-west-1', 'sts.us-gov-west-1.amazonaws.com'],
    ['us-iso-east-1', 'sts.us-iso-east-1.c2s.ic.gov'],
    ['us-isob-east-1', 'sts.us-isob-east-1.sc2s.sgov.gov'],
  ])('%s → %s, signed for that region', async (region, host) => {
    const url = await signedUrl(region);
    expect(url.host).toBe(host);
    expect(url.searchParams.get('Action')).toBe('GetCallerIdentity');
    expect(url.searchParams.get('X-Amz-Credential')).toBe(`AKIAEXAMPLE/20261201/${region}/sts/aws4_request`);
    expect(url.searchParams.get('X-Amz-SignedHeaders')).toBe('host;x-k8s-aws-id');
  });

  it('an STS endpoint given (AWS_ENDPOINT_URL_STS) wins', async () => {
    const url = await signedUrl('cn-north-1', 'https://sts.vpce.example.internal:8443');
    expect(url.host).toBe('sts.vpce.example.internal:8443');
  });
});
