// What the runner's environment says about reaching a cluster: KUBECONFIG's files, the region,
// and where EKS tokens are presigned.
import { describe, expect, it } from 'vitest';
import { kubeconfigFromEnv } from '@expeditor/kube/kubeconfig-env';
import { readKubeRunnerContext } from '@expeditor/kube/runner';

describe('kubeconfigFromEnv', () => {
  it.each([
    [undefined, undefined],
    ['', undefined],
    [':', undefined],
    ['  ', undefined],
    ['/home/runner/.kube/config', { path: '/home/runner/.kube/config', also: [] }],
    ['/a:/b:/c', { path: '/a', also: ['/b', '/c'] }],
    ['::/a::/b:', { path: '/a', also: ['/b'] }],
  ])('%j → %j', (value, files) => {
    expect(kubeconfigFromEnv(value)).toEqual(files);
  });
});

describe('readKubeRunnerContext', () => {
  it.each([
    [{}, { kubeconfig: undefined, awsRegion: undefined, stsEndpoint: undefined }],
    [
      { AWS_REGION: 'eu-west-1', AWS_DEFAULT_REGION: 'us-east-1' },
      { kubeconfig: undefined, awsRegion: 'eu-west-1', stsEndpoint: undefined },
    ],
    [
      { AWS_REGION: '', AWS_DEFAULT_REGION: 'us-east-1' },
      { kubeconfig: undefined, awsRegion: 'us-east-1', stsEndpoint: undefined },
    ],
    [
      { AWS_ENDPOINT_URL: 'http://aws.local', AWS_ENDPOINT_URL_STS: 'http://sts.local' },
      { kubeconfig: undefined, awsRegion: undefined, stsEndpoint: 'http://sts.local' },
    ],
    [{ AWS_ENDPOINT_URL: 'http://aws.local' }, { kubeconfig: undefined, awsRegion: undefined, stsEndpoint: 'http://aws.local' }],
    [{ KUBECONFIG: '/k1:/k2' }, { kubeconfig: { path: '/k1', also: ['/k2'] }, awsRegion: undefined, stsEndpoint: undefined }],
  ])('%j', (env, context) => {
    expect(readKubeRunnerContext(env)).toEqual(context);
  });
});
