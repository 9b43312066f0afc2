// The speculative first read (packages/aws/src/speculative.ts): which environments send it and
// which refuse, where it goes in each partition, its SigV4 signature (the same Authorization as the
// SDK's signer gives), and the SDK client taking its answer: once, only for the same request by the
// same identity; otherwise, and when the speculative request failed, the SDK sends as usual.
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DescribeServicesCommand, ECSClient } from '@aws-sdk/client-ecs';
import { CodeDeployClient, GetDeploymentCommand } from '@aws-sdk/client-codedeploy';
import { Hash } from '@smithy/hash-node';
import { HttpRequest, HttpResponse } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { clientConfig } from '@expeditor/aws/clients';
import {
  type Decision,
  describeServicesRead,
  getDeploymentRead,
  prefetchedAnswer,
  signRead,
  speculate,
  speculationFor,
  usePrefetched,
} from '@expeditor/aws/speculative';

const read = describeServicesRead('shop', 'web');
const keys = { AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE', AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };
const noFiles = (): boolean => false;

describe('speculationFor', () => {
  it.each([
    { region: 'us-west-2', endpoint: 'https://ecs.us-west-2.amazonaws.com/' },
    { region: 'eu-central-2', endpoint: 'https://ecs.eu-central-2.amazonaws.com/' },
    { region: 'cn-north-1', endpoint: 'https://ecs.cn-north-1.amazonaws.com.cn/' },
    { region: 'us-gov-west-1', endpoint: 'https://ecs.us-gov-west-1.amazonaws.com/' },
    { region: 'us-iso-east-1', endpoint: 'https://ecs.us-iso-east-1.c2s.ic.gov/' },
    { region: 'us-isob-east-1', endpoint: 'https://ecs.us-isob-east-1.sc2s.sgov.gov/' },
  ])('speculates in $region at $endpoint', ({ region, endpoint }) => {
    const decision = speculationFor(read, undefined, { ...keys, AWS_REGION: region }, noFiles);
    expect(decision).toMatchObject({ speculate: true, region, credentials: { accessKeyId: keys.AWS_ACCESS_KEY_ID } });
    expect(decision.speculate && decision.endpoint.href).toBe(endpoint);
  });

  it('takes the client’s region over AWS_REGION, a session token, and the endpoint the SDK would take', () => {
    const env = { ...keys, AWS_SESSION_TOKEN: 'token', AWS_REGION: 'us-east-1' };
    expect(speculationFor(read, 'eu-west-1', env, noFiles)).toMatchObject({
      speculate: true,
      region: 'eu-west-1',
      credentials: { sessionToken: 'token' },
    });
    const both = { ...env, AWS_ENDPOINT_URL: 'http://127.0.0.1:1', AWS_ENDPOINT_URL_ECS: 'http://localhost:2' };
    expect((speculationFor(read, undefined, both, noFiles) as { endpoint: URL }).endpoint.href).toBe('http://localhost:2/');
    expect(
      (speculationFor(read, undefined, { ...env, AWS_ENDPOINT_URL: 'http://127.0.0.1:1' }, noFiles) as { endpoint: URL }).endpoint.href,
    ).toBe('http://127.0.0.1:1/');
    // 'false' is as good as unset.
    expect(speculationFor(read, undefined, { ...env, AWS_USE_FIPS_ENDPOINT: 'false' }, noFiles).speculate).toBe(true);
  });

  it.each([
    { why: 'no access key', env: { AWS_SECRET_ACCESS_KEY: 's', AWS_REGION: 'us-west-2' } },
    { why: 'no secret key', env: { AWS_ACCESS_KEY_ID: 'a', AWS_REGION: 'us-west-2' } },
    { why: 'a profile', env: { ...keys, AWS_REGION: 'us-west-2', AWS_PROFILE: 'dev' } },
    { why: 'FIPS', env: { ...keys, AWS_REGION: 'us-west-2', AWS_USE_FIPS_ENDPOINT: 'true' } },
    { why: 'dual-stack', env: { ...keys, AWS_REGION: 'us-west-2', AWS_USE_DUALSTACK_ENDPOINT: 'true' } },
    { why: 'endpoints from config ignored', env: { ...keys, AWS_REGION: 'us-west-2', AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: 'true' } },
    { why: 'no region', env: { ...keys } },
    { why: 'a pseudo-region', env: { ...keys, AWS_REGION: 'fips-us-east-1' } },
    { why: 'the global pseudo-region', env: { ...keys, AWS_REGION: 'aws-global' } },
    { why: 'a partition not known here', env: { ...keys, AWS_REGION: 'eu-isoe-west-1' } },
    { why: 'an endpoint with a path', env: { ...keys, AWS_REGION: 'us-west-2', AWS_ENDPOINT_URL: 'https://proxy.example/ecs' } },
    { why: 'an endpoint that is no URL', env: { ...keys, AWS_REGION: 'us-west-2', AWS_ENDPOINT_URL_ECS: 'not a url' } },
    { why: 'an endpoint of another scheme', env: { ...keys, AWS_REGION: 'us-west-2', AWS_ENDPOINT_URL: 'ftp://example' } },
  ])('refuses with $why', ({ env }) => {
    expect(speculationFor(read, undefined, env, noFiles).speculate).toBe(false);
  });

  it('refuses when a config file is there (default place or AWS_CONFIG_FILE), not when AWS_CONFIG_FILE names none', () => {
    const env = { ...keys, AWS_REGION: 'us-west-2', HOME: '/home/runner' };
    const asked: string[] = [];
    const only = (path: string) => (p: string) => {
      asked.push(p);
      return p === path;
    };
    expect(speculationFor(read, undefined, env, only('/home/runner/.aws/config'))).toMatchObject({ speculate: false });
    expect(speculationFor(read, undefined, { ...env, AWS_CONFIG_FILE: '/etc/aws' }, only('/etc/aws'))).toMatchObject({ speculate: false });
    expect(speculationFor(read, undefined, { ...env, AWS_CONFIG_FILE: '/nowhere' }, only('/etc/aws'))).toMatchObject({ speculate: true });
    expect(asked).toEqual(['/home/runner/.aws/config', '/etc/aws', '/nowhere']);
  });
});

describe('signRead', () => {
  const now = new Date('2026-12-01T18:00:00.123Z');
  const decisionOf = (env: Record<string, string>) =>
    speculationFor(read, undefined, env, noFiles) as Extract<Decision, { speculate: true }>;

  it.each([
    { name: 'keys', env: { ...keys, AWS_REGION: 'us-west-2' } },
    {
      name: 'keys and a session token, another port',
      env: { ...keys, AWS_SESSION_TOKEN: 'FQoGZXIvYXdzE//token', AWS_REGION: 'cn-north-1', AWS_ENDPOINT_URL: 'http://127.0.0.1:4566' },
    },
  ])('signs as the SDK’s signer does ($name)', async ({ env }) => {
    const decision = decisionOf(env);
    const signed = signRead(read, decision, now);
    expect(signed.path).toBe('/');
    expect(signed.body).toBe(read.body);
    expect(signed.headers).toMatchObject({
      host: decision.endpoint.host,
      'content-type': 'application/x-amz-json-1.1',
      'x-amz-target': 'AmazonEC2ContainerServiceV20141113.DescribeServices',
      'x-amz-date': '20261201T180000Z',
      'content-length': String(Buffer.byteLength(read.body)),
    });
    expect(signed.headers.authorization).toMatch(
      new RegExp(
        `^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261201/${decision.region}/ecs/aws4_request, SignedHeaders=content-length;content-type;host;x-amz-content-sha256;x-amz-date;${'AWS_SESSION_TOKEN' in env ? 'x-amz-security-token;' : ''}x-amz-target, Signature=[0-9a-f]{64}$`,
      ),
    );
    const { authorization, ...unsigned } = signed.headers;
    const reference = await new SignatureV4({
      service: 'ecs',
      region: decision.region,
      credentials: decision.credentials,
      sha256: Hash.bind(null, 'sha256'),
    }).sign(
      new HttpRequest({
        method: 'POST',
        protocol: decision.endpoint.protocol,
        hostname: decision.endpoint.hostname,
        path: '/',
        headers: {
          host: unsigned.host!,
          'content-type': unsigned['content-type']!,
          'x-amz-target': unsigned['x-amz-target']!,
          'content-length': unsigned['content-length']!,
        },
        body: read.body,
      }),
      { signingDate: now },
    );
    expect(authorization).toBe(reference.headers.authorization);
  });
});

describe('the SDK taking the speculative answer', () => {
  interface Seen {
    sdk: boolean;
    body: string;
  }
  const seen: Seen[] = [];
  let answer: (req: IncomingMessage, body: string) => { status: number; body: string } | 'reset' = () => ({ status: 200, body: '{}' });
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => {
      body += chunk.toString();
    });
    req.on('end', () => {
      // The SDK says who it is; the speculative request does not.
      seen.push({ sdk: String(req.headers['user-agent'] ?? '').includes('aws-sdk-js'), body });
      const a = answer(req, body);
      if (a === 'reset') {
        req.socket.destroy();
        return;
      }
      res.writeHead(a.status, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': `req-${seen.length}` }).end(a.body);
    });
  });
  let endpoint = '';
  beforeAll(async () => {
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => server.close());
  beforeEach(() => {
    seen.length = 0;
    answer = (_req, body) => ({
      status: 200,
      body: JSON.stringify({ services: [{ serviceName: JSON.parse(body).services[0], status: 'ACTIVE', desiredCount: 2 }], failures: [] }),
    });
  });

  const env = () => ({ ...keys, AWS_REGION: 'us-west-2', AWS_ENDPOINT_URL: endpoint });
  const client = (accessKeyId = keys.AWS_ACCESS_KEY_ID) =>
    new ECSClient({
      ...clientConfig({ region: 'us-west-2', endpoint }),
      credentials: { accessKeyId, secretAccessKey: keys.AWS_SECRET_ACCESS_KEY },
    });
  const describeWeb = (ecs: ECSClient, service = 'web') => ecs.send(new DescribeServicesCommand({ cluster: 'shop', services: [service] }));

  it('writes the body byte for byte as the SDK does', async () => {
    const ecs = client();
    await describeWeb(ecs);
    expect(seen).toEqual([{ sdk: true, body: read.body }]);
  });

  it('answers the same request with what AWS said, once: the next one goes out', async () => {
    const speculation = speculate(read, { region: undefined, env: env(), exists: noFiles });
    expect(speculation).toBeDefined();
    await speculation!.written;
    const ecs = client();
    usePrefetched(ecs, speculation);
    const first = await describeWeb(ecs);
    expect(first.services?.[0]).toMatchObject({ serviceName: 'web', desiredCount: 2 });
    expect(first.$metadata.requestId).toBe('req-1');
    expect(seen).toEqual([{ sdk: false, body: read.body }]);
    await describeWeb(ecs);
    expect(seen.map((s) => s.sdk)).toEqual([false, true]);
  });

  it("CodeDeploy GetDeployment (the ECS switch's first call): written as the SDK writes it, and taken by the CodeDeploy client", async () => {
    answer = (_req, body) => ({ status: 200, body: JSON.stringify({ deploymentInfo: { ...JSON.parse(body), status: 'Ready' } }) });
    const codedeploy = () =>
      new CodeDeployClient({
        ...clientConfig({ region: 'us-west-2', endpoint }),
        credentials: { accessKeyId: keys.AWS_ACCESS_KEY_ID, secretAccessKey: keys.AWS_SECRET_ACCESS_KEY },
      });
    const get = getDeploymentRead('d-ABCDEF123');
    await codedeploy().send(new GetDeploymentCommand({ deploymentId: 'd-ABCDEF123' }));
    expect(seen).toEqual([{ sdk: true, body: get.body }]);
    seen.length = 0;
    const speculation = speculate(get, { region: undefined, env: env(), exists: noFiles });
    await speculation!.written;
    const client = codedeploy();
    usePrefetched(client, speculation);
    const got = await client.send(new GetDeploymentCommand({ deploymentId: 'd-ABCDEF123' }));
    expect(got.deploymentInfo).toEqual({ deploymentId: 'd-ABCDEF123', status: 'Ready' });
    expect(seen).toEqual([{ sdk: false, body: get.body }]);
  });

  it('hands an AWS error to the SDK as it came: the SDK raises it (one request)', async () => {
    answer = () => ({
      status: 400,
      body: '{"__type":"com.amazon.coral.service#UnrecognizedClientException","message":"The security token included in the request is invalid."}',
    });
    const speculation = speculate(read, { region: undefined, env: env(), exists: noFiles });
    const ecs = client();
    usePrefetched(ecs, speculation);
    await expect(describeWeb(ecs)).rejects.toMatchObject({
      name: 'UnrecognizedClientException',
      message: 'The security token included in the request is invalid.',
      $metadata: { httpStatusCode: 400, requestId: 'req-1' },
    });
    expect(seen.map((s) => s.sdk)).toEqual([false]);
  });

  it('sends as usual when the SDK’s request is another (another service, another key)', async () => {
    const ecs = client();
    usePrefetched(ecs, speculate(read, { region: undefined, env: env(), exists: noFiles }));
    const other = await describeWeb(ecs, 'api');
    expect(other.services?.[0]?.serviceName).toBe('api');
    expect(seen.filter((s) => s.sdk)).toEqual([{ sdk: true, body: describeServicesRead('shop', 'api').body }]);

    seen.length = 0;
    const otherKey = client('AKIDOTHER');
    const speculation = speculate(read, { region: undefined, env: env(), exists: noFiles });
    await speculation!.answer;
    usePrefetched(otherKey, speculation);
    await describeWeb(otherKey);
    expect(seen.map((s) => s.sdk)).toEqual([false, true]);
  });

  it('sends as usual when the speculative request failed', async () => {
    let first = true;
    const normal = answer;
    answer = (req, body) => {
      if (first) {
        first = false;
        return 'reset';
      }
      return normal(req, body);
    };
    const speculation = speculate(read, { region: undefined, env: env(), exists: noFiles });
    await speculation!.written;
    expect(await speculation!.answer).toBeUndefined();
    const ecs = client();
    usePrefetched(ecs, speculation);
    expect((await describeWeb(ecs)).services?.[0]?.serviceName).toBe('web');
    expect(seen.map((s) => s.sdk)).toEqual([false, true]);
  });

  it('sends nothing when the environment refuses', () => {
    expect(speculate(read, { region: undefined, env: { ...env(), AWS_PROFILE: 'dev' }, exists: noFiles })).toBeUndefined();
    expect(seen).toEqual([]);
  });

  it('gives the SDK an HttpResponse (by its shape, as the SDK tells one), and passes a second request on', async () => {
    const speculation = speculate(read, { region: undefined, env: env(), exists: noFiles })!;
    const signed = signRead(read, speculationFor(read, undefined, env(), noFiles) as Extract<Decision, { speculate: true }>);
    const request = {
      method: 'POST',
      protocol: 'http:',
      hostname: '127.0.0.1',
      port: Number(new URL(endpoint).port),
      path: '/',
      query: {},
      headers: signed.headers,
      body: read.body,
    };
    const passed: unknown[] = [];
    const handler = prefetchedAnswer(speculation)(async (args) => {
      passed.push(args.request);
      return { response: 'sent' };
    });
    const { response } = await handler({ request });
    expect(HttpResponse.isInstance(response)).toBe(true);
    expect(response).toMatchObject({ statusCode: 200, headers: { 'x-amzn-requestid': 'req-1' } });
    expect(passed).toEqual([]);
    expect(await handler({ request })).toEqual({ response: 'sent' });
    expect(passed).toEqual([request]);
  });
});
