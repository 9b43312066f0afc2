// build-image against ECR as the bed can have it: moto answers the ECR API (GetAuthorizationToken,
// DescribeRepositories, CreateRepository) and a real distribution registry that only accepts the
// password moto hands out stands in for the ECR registry host, through the core's
// registryAddresses option (image references keep the ECR name, requests go to the bed registry).
// The login and push run on both builders: buildah, and docker buildx on the bed's Docker engine.
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DescribeRepositoriesCommand, ECRClient } from '@aws-sdk/client-ecr';
import { describe, expect, test } from 'vitest';
import { buildImage, type BuildImageOptions } from '../../actions/build-image/src/action.ts';
import { ecrApi } from '../../actions/build-image/src/ecr-client.ts';
import type { ExpeditorError } from '../../packages/shared/src/errors.ts';
import { memoryLog } from '../../packages/shared/src/log.ts';
import { useBed } from '../bed/vitest.ts';
import { root, runBundle } from './bundle-run.ts';
import { buildOptions, noEngineEnv, rejection, shaOf } from './build-image-bed.ts';

const bed = useBed(['moto', 'registry', 'docker']);
const account = '123456789012';
const ecrHost = `${account}.dkr.ecr.us-west-2.amazonaws.com`;
/** moto's GetAuthorizationToken answers AWS:<account>-auth-token; this is its bcrypt for htpasswd. */
const ecrPassword = `${account}-auth-token`;
const ecrPasswordBcrypt = '$2b$05$IJ5K4Ck.h1rYBEwKWC/60eckuBYbdnVPqejud69xW5EV8A47nEeAa';

function ecrClient(): ECRClient {
  return new ECRClient(bed.moto.clientConfig(account));
}

async function calls(action: string): Promise<number> {
  const answer = await bed.moto.control<{ counts: Record<string, number> }>('calls', { action });
  return answer.counts[action] ?? 0;
}

/** buildah: no engine in the environment; buildx: the bed's engine, RUN steps on the host network. */
const builders = [
  { name: 'buildah', suffix: '', over: (): Partial<BuildImageOptions> => ({}) },
  {
    name: 'buildx',
    suffix: '-docker',
    over: (): Partial<BuildImageOptions> => ({ env: { ...baseEnv(), ...bed.docker.env }, network: 'host' }),
  },
] as const;

const baseEnv = (): Record<string, string> => noEngineEnv(bed.registry);

function options(name: string, registryAddress: string, over: Partial<BuildImageOptions> = {}) {
  const log = memoryLog();
  const masked: string[] = [];
  const mask = log.mask.bind(log);
  log.mask = (secret: string) => {
    masked.push(secret);
    mask(secret);
  };
  const opts = buildOptions(bed, name, {
    repository: `${ecrHost}/demo/${name}`,
    createRepository: true,
    env: baseEnv(),
    log,
    ecr: async () => ecrApi(ecrClient()),
    registryAddresses: { [ecrHost]: registryAddress },
    ...over,
  });
  return { opts, log, masked };
}

describe.each(builders)('build-image on ECR with $name (moto for the API, the bed registry as the registry host)', (builder) => {
  const app = `ecr-app${builder.suffix}`;
  test('logs in with the ECR token, creates the repository immutable with scan on push, pushes, outputs the ECR name by digest', async () => {
    const registry = await bed.registry.startAuthenticated({ username: 'AWS', password: ecrPassword, bcrypt: ecrPasswordBcrypt });
    try {
      const before = { token: await calls('GetAuthorizationToken'), create: await calls('CreateRepository') };
      const { opts, log, masked } = options(app, registry.host, builder.over());
      const result = await buildImage(opts);

      const head = await fetch(`${registry.url}/v2/demo/${app}/manifests/${opts.tag}`, {
        method: 'HEAD',
        headers: {
          // buildah pushes OCI manifests, docker Docker v2 ones.
          Accept: 'application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json',
          Authorization: `Basic ${Buffer.from(`AWS:${ecrPassword}`).toString('base64')}`,
        },
      });
      expect(head.status).toBe(200);
      expect(result.digest).toBe(head.headers.get('docker-content-digest'));
      expect(result.image).toBe(`${ecrHost}/demo/${app}@${result.digest}`);
      expect(result.skipped).toBe(false);
      expect(result.builder?.split(' ')[0]).toBe(builder.name);

      const repo = (await ecrClient().send(new DescribeRepositoriesCommand({ repositoryNames: [`demo/${app}`] }))).repositories?.[0];
      expect(repo?.imageTagMutability).toBe('IMMUTABLE');
      expect(repo?.imageScanningConfiguration?.scanOnPush).toBe(true);
      expect(await calls('GetAuthorizationToken')).toBe(before.token + 1);
      expect(await calls('CreateRepository')).toBe(before.create + 1);

      // The token and the password were masked before use, and neither reached the log.
      const token = Buffer.from(`AWS:${ecrPassword}`).toString('base64');
      expect(masked).toEqual(expect.arrayContaining([token, ecrPassword]));
      const text = log.lines.join('\n');
      expect(text).not.toContain(ecrPassword);
      expect(text).not.toContain(token);
      expect(text).toContain(`Logged in to ${ecrHost} through ECR GetAuthorizationToken (account ${account}, us-west-2)`);
      expect(text).toContain(`Created ECR repository demo/${app} (tag immutability and scan on push on)`);
      if (builder.name === 'buildx') {
        // docker logged in for the push and out after it: the runner's docker config keeps no token.
        expect(readFileSync(join(bed.docker.env.DOCKER_CONFIG ?? '', 'config.json'), 'utf8')).not.toContain(registry.host);
      }

      // The same commit again: a new login, a HEAD with its token, nothing else.
      const describeBefore = await calls('DescribeRepositories');
      const again = options(app, registry.host, builder.over());
      const second = await buildImage(again.opts);
      expect(second.skipped).toBe(true);
      expect(second.image).toBe(result.image);
      expect(await calls('GetAuthorizationToken')).toBe(before.token + 2);
      expect(await calls('DescribeRepositories')).toBe(describeBefore);
      expect(Object.keys(second.registryRequests).sort()).toEqual(['GET', 'HEAD']);

      // A second image in the now existing repository: found, not created again.
      const other = options(`${app}-2`, registry.host, { ...builder.over(), repository: `${ecrHost}/demo/${app}` });
      await buildImage(other.opts);
      expect(other.log.lines).toContain(`ECR repository demo/${app} exists`);
      expect(await calls('CreateRepository')).toBe(before.create + 1);
    } finally {
      await registry.stop();
    }
  });
});

describe('build-image on ECR: login failures and retries', () => {
  test('GetAuthorizationToken throttled twice: retried, then the build goes on', async () => {
    const registry = await bed.registry.startAuthenticated({ username: 'AWS', password: ecrPassword, bcrypt: ecrPasswordBcrypt });
    try {
      await bed.moto.control('throttle', { action: 'GetAuthorizationToken', count: 2 });
      const before = await calls('GetAuthorizationToken');
      const { opts } = options('ecr-throttled', registry.host, { createRepository: false });
      const result = await buildImage(opts);
      expect(result.digest).toMatch(/^sha256:/);
      expect(await calls('GetAuthorizationToken')).toBe(before + 3);
    } finally {
      await registry.stop();
    }
  });

  test('a registry that refuses the ECR token: says which registry, which credentials and what was tried', async () => {
    // The bed's default authenticated registry knows only its own account, not moto's token.
    const registry = await bed.registry.startAuthenticated();
    try {
      const { opts, log } = options('ecr-refused', registry.host);
      const error = await rejection(buildImage(opts));
      expect(error.message).toContain(
        `registry ${ecrHost} refused the credentials of "AWS" from ECR GetAuthorizationToken (account ${account}, us-west-2) (HTTP 401)`,
      );
      expect(error.message).toContain(`HEAD http://${registry.host}/v2/demo/ecr-refused/manifests/${opts.tag} anonymously → HTTP 401`);
      expect(error.message).toContain('with Basic auth as "AWS"');
      expect((error as ExpeditorError).unchanged).toBe('nothing was built or pushed');
      expect(log.lines.join('\n')).not.toContain(ecrPassword);
    } finally {
      await registry.stop();
    }
  });

  test('the bundle with no AWS credentials: the ECR login fails saying to run assume-env, nothing else is tried', async () => {
    // No profile files (HOME is empty), no instance metadata, no keys: the SDK's whole chain comes up empty.
    const home = join(bed.dir, 'bundle-no-creds');
    mkdirSync(home, { recursive: true });
    const motoEnv = bed.moto.env(account);
    const before = await calls('GetAuthorizationToken');
    const run = await runBundle(
      'build-image',
      { repository: `${ecrHost}/demo/no-creds`, context: 'examples/app', 'build-args': `BASE=${bed.registry.baseImage}` },
      {
        AWS_ENDPOINT_URL: motoEnv.AWS_ENDPOINT_URL!,
        AWS_REGION: motoEnv.AWS_REGION!,
        AWS_EC2_METADATA_DISABLED: 'true',
        GITHUB_SHA: shaOf('no-creds'),
      },
      { workspace: root, home },
    );
    expect(run.status).toBe(1);
    expect(run.stdout).toContain(`::error::build-image: ECR GetAuthorizationToken (account ${account}, us-west-2) failed: `);
    expect(run.stdout).toContain('Next: no AWS credentials were found: run assume-env');
    expect(run.outputFile).toBe('');
    expect(await calls('GetAuthorizationToken')).toBe(before);
  });
});
