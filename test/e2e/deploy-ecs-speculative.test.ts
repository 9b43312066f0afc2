// deploy-ecs's speculative first read (packages/aws/src/speculative.ts) through the bundle on the
// bed's moto: DescribeServices leaves before the SDK is loaded and the SDK takes its answer, so it
// reaches moto once, and the run does what a run without the speculation does (that run has an
// AWS config file, which turns the speculation off): the same deployment, the same calls, and when
// moto refuses the request (a bad session token, no permission), the same error.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useBed } from '../bed/vitest.ts';
import { callsOf, digestImage, rollingService, runBundle, unique } from './deploy-ecs-bed.ts';
import type { BundleRun } from './bundle-run.ts';
import { bedName, recordingProxy } from './recording-proxy.ts';

const bed = useBed(['moto']);

/** A request the front passed to moto: its X-Amz-Target's operation, and whether the SDK sent it (its User-Agent). */
interface Passed {
  operation: string;
  sdk: boolean;
}

/** An HTTP front to moto that records who sent each request (the speculative request has no SDK User-Agent). */
let front: Server;
let frontUrl = '';
const passed: Passed[] = [];
beforeAll(async () => {
  const moto = new URL(bed.moto.endpoint);
  front = createServer((req, res) => {
    passed.push({
      operation:
        String(req.headers['x-amz-target'] ?? '')
          .split('.')
          .pop() ?? '',
      sdk: String(req.headers['user-agent'] ?? '').includes('aws-sdk-js'),
    });
    const upstream = request(
      { hostname: moto.hostname, port: moto.port, method: req.method, path: req.url, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((r) => front.listen(0, '127.0.0.1', r));
  frontUrl = `http://127.0.0.1:${(front.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => front.close(() => r())));

/** Environment that turns the speculation off and changes nothing else: an AWS config file that is there, empty. */
function configFileThere(): Record<string, string> {
  const file = join(mkdtempSync(join(tmpdir(), 'aws-config-')), 'config');
  writeFileSync(file, '');
  return { AWS_CONFIG_FILE: file };
}

interface Observed {
  run: BundleRun;
  /** DescribeServices as moto recorded them (for the run's key). */
  described: number;
  /** The requests the run sent, in order. */
  passed: Passed[];
}

/** Runs the bundle with AWS_ENDPOINT_URL at the front (or `endpoint`, another name for it). */
async function deploy(
  inputs: Record<string, string>,
  env: Record<string, string>,
  options: { account?: string; endpoint?: string } = {},
): Promise<Observed> {
  const since = Date.now();
  const from = passed.length;
  const run = await runBundle('deploy-ecs', inputs, { ...env, AWS_ENDPOINT_URL: options.endpoint ?? frontUrl });
  const { account } = options;
  const described = (await callsOf(bed.moto, 'DescribeServices', since, account)).length;
  return { run, described, passed: passed.slice(from) };
}

/** The run's ::error:: line, without what differs from run to run (request ids). */
const errorLine = (run: BundleRun): string | undefined =>
  run.stdout
    .split('\n')
    .find((l) => l.startsWith('::error::'))
    ?.replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, '<id>');

describe('deploy-ecs: the speculative DescribeServices (bundle on moto)', () => {
  it('sends DescribeServices once, before the SDK, and deploys as a run without the speculation does', async () => {
    const fx = await rollingService(bed.moto);
    const inputs = (image: string) => ({ image, cluster: fx.cluster, service: fx.service, 'wait-until': 'none' });

    const speculative = await deploy(inputs(digestImage()), bed.moto.env());
    expect(speculative.run.status, speculative.run.stdout + speculative.run.stderr).toBe(0);
    expect(speculative.run.outputs['task-definition-arn']).toMatch(new RegExp(`task-definition/${fx.family}:2$`));
    expect(speculative.run.outputs['previous-task-definition-arn']).toBe(fx.firstTd);
    expect(speculative.described).toBe(1);
    // The first request is the speculative DescribeServices; the SDK sent none of its own.
    expect(speculative.passed[0]).toEqual({ operation: 'DescribeServices', sdk: false });
    expect(speculative.passed.filter((p) => p.operation === 'DescribeServices')).toHaveLength(1);
    expect(speculative.passed.slice(1).every((p) => p.sdk)).toBe(true);

    const plain = await deploy(inputs(digestImage()), { ...bed.moto.env(), ...configFileThere() });
    expect(plain.run.status, plain.run.stdout + plain.run.stderr).toBe(0);
    expect(plain.run.outputs['task-definition-arn']).toMatch(new RegExp(`task-definition/${fx.family}:3$`));
    expect(plain.passed.every((p) => p.sdk)).toBe(true);
    // The same calls, in the same order.
    expect(plain.described).toBe(1);
    expect(speculative.passed.map((p) => p.operation)).toEqual(plain.passed.map((p) => p.operation));
    expect(Object.keys(speculative.run.outputs).sort()).toEqual(Object.keys(plain.run.outputs).sort());
    expect(speculative.run.outputs.status).toBe(plain.run.outputs.status);
  });

  it('goes through the proxy, as the SDK does (the front is reachable only through it)', async () => {
    const fx = await rollingService(bed.moto);
    const password = 'spec-Pa55-x7';
    const proxy = await recordingProxy({ user: 'corp', password });
    try {
      const port = new URL(frontUrl).port;
      const observed = await deploy(
        { image: digestImage(), cluster: fx.cluster, service: fx.service, 'wait-until': 'none' },
        { ...bed.moto.env(), HTTPS_PROXY: proxy.url, http_proxy: proxy.url },
        { endpoint: `http://${bedName('front', port)}` },
      );
      expect(observed.run.status, observed.run.stdout + observed.run.stderr).toBe(0);
      expect(observed.described).toBe(1);
      expect(observed.passed[0]).toEqual({ operation: 'DescribeServices', sdk: false });
      expect(observed.passed.filter((p) => p.operation === 'DescribeServices')).toHaveLength(1);
      expect(proxy.tunnels.length).toBeGreaterThan(0);
      for (const t of proxy.tunnels) expect(t).toEqual({ target: bedName('front', port), credentials: `corp:${password}`, allowed: true });
      const lines = observed.run.stdout.split('\n');
      const announced = lines.filter((l) => l.startsWith('::debug::requests go through a proxy'));
      expect(announced).toHaveLength(1);
      expect(lines.indexOf(`::add-mask::${password}`)).toBeLessThan(lines.indexOf(announced[0]!));
    } finally {
      await proxy.close();
    }
  });

  describe('refused by moto (IAM enforced for assumed-role sessions)', () => {
    const account = '444444444444';
    let session: { AWS_ACCESS_KEY_ID: string; AWS_SECRET_ACCESS_KEY: string; AWS_SESSION_TOKEN: string };
    beforeAll(async () => {
      await bed.moto.control('iam', { enforce: true });
      // A role with no permission at all, assumed with the account's bed key.
      const role = await new IAMClient(bed.moto.clientConfig(account)).send(
        new CreateRoleCommand({
          RoleName: unique('speculative'),
          AssumeRolePolicyDocument: JSON.stringify({
            Version: '2012-10-17',
            Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${account}:root` }, Action: 'sts:AssumeRole' }],
          }),
        }),
      );
      const { Credentials: c } = await new STSClient(bed.moto.clientConfig(account)).send(
        new AssumeRoleCommand({ RoleArn: role.Role!.Arn!, RoleSessionName: 'speculative' }),
      );
      session = { AWS_ACCESS_KEY_ID: c!.AccessKeyId!, AWS_SECRET_ACCESS_KEY: c!.SecretAccessKey!, AWS_SESSION_TOKEN: c!.SessionToken! };
    });

    /** The session's environment (no bed key), with the token given. */
    const sessionEnv = (token: string): Record<string, string> => ({
      ...bed.moto.env(account),
      ...session,
      AWS_SESSION_TOKEN: token,
    });

    it.each([
      {
        what: 'a bad session token',
        token: () => `${session.AWS_SESSION_TOKEN}x`,
        error:
          /::error::deploy-ecs: ecs:DescribeServices on service \S+ in cluster \S+ was refused: the credentials were not accepted: UnrecognizedClientException .*The security token included in the request is invalid/,
      },
      {
        what: 'no permission',
        token: () => session.AWS_SESSION_TOKEN,
        error:
          /::error::deploy-ecs: ecs:DescribeServices on service \S+ in cluster \S+ was denied: .*not authorized to perform: ecs:DescribeServices/,
      },
    ])('reports what moto said about $what, as a run without the speculation does', async ({ token, error }) => {
      const inputs = { image: digestImage(), cluster: unique('cluster'), service: unique('svc') };
      const speculative = await deploy(inputs, sessionEnv(token()));
      const plain = await deploy(inputs, { ...sessionEnv(token()), ...configFileThere() });
      for (const observed of [speculative, plain]) {
        expect(observed.run.status).toBe(1);
        expect(observed.run.stdout).toMatch(error);
        expect(observed.passed.map((p) => p.operation)).toEqual(['DescribeServices']);
      }
      expect(speculative.passed[0]!.sdk).toBe(false);
      expect(plain.passed[0]!.sdk).toBe(true);
      expect(errorLine(speculative.run)).toBe(errorLine(plain.run));
      expect(speculative.run.summary.replace(/\d+(\.\d+)? ?(ms|s)\b/g, '<t>')).toBe(
        plain.run.summary.replace(/\d+(\.\d+)? ?(ms|s)\b/g, '<t>'),
      );
    });
  });
});
