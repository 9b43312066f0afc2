// Self-test of the bed's registry part: real distribution registry, real buildah and skopeo.
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { useBed } from './vitest.ts';

const bed = useBed(['registry']);

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

function tool(command: 'buildah' | 'skopeo', args: string[], input?: string): Promise<Result> {
  return new Promise((resolve) => {
    const child = execFile(
      command,
      args,
      { env: { ...process.env, ...bed.registry.containerEnv }, maxBuffer: 16 << 20 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
    if (input !== undefined) child.stdin?.end(input);
  });
}

async function ok(command: 'buildah' | 'skopeo', args: string[], input?: string): Promise<string> {
  const result = await tool(command, args, input);
  if (result.code !== 0) throw new Error(`${command} ${args.join(' ')} exited ${result.code}:\n${result.stderr}`);
  return result.stdout;
}

/** Writes a build context with the given Dockerfile and returns its directory. */
function context(name: string, dockerfile: string, files: Record<string, string> = {}): string {
  const dir = join(bed.dir, 'contexts', name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'Dockerfile'), dockerfile);
  for (const [file, text] of Object.entries(files)) writeFileSync(join(dir, file), text);
  return dir;
}

async function headDigest(repository: string, tag: string): Promise<Response> {
  return fetch(`${bed.registry.url}/v2/${repository}/manifests/${tag}`, {
    method: 'HEAD',
    headers: {
      Accept: 'application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json',
    },
  });
}

describe('registry part', () => {
  test('serves the base image the bed built, under the digest it reports', async () => {
    const { registry } = bed;
    expect(registry.baseImage).toBe(`${registry.host}/bed/base:1`);
    expect(registry.baseDigest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(await registry.digest('bed/base', '1')).toBe(registry.baseDigest);
    expect(await registry.digest('bed/base', 'no-such-tag')).toBeUndefined();
  });

  test('buildah builds FROM the base image and pushes; the registry answers that digest by tag', async () => {
    const { registry } = bed;
    const image = `${registry.host}/app/one:0123abc`;
    const dir = context(
      'one',
      `FROM ${registry.baseImage}\n` +
        'COPY greeting.txt /srv/greeting.txt\n' +
        'RUN echo "built by $(id -un)" > /srv/who\n' +
        'LABEL org.opencontainers.image.revision=0123abc\n' +
        'CMD ["cat", "/srv/greeting.txt"]\n',
      { 'greeting.txt': 'hello from the bed\n' },
    );
    await ok('buildah', ['bud', '--quiet', '-t', image, dir]);
    const digestFile = join(bed.dir, 'one.digest');
    await ok('buildah', ['push', '--quiet', '--digestfile', digestFile, image]);
    const pushed = readFileSync(digestFile, 'utf8').trim();
    expect(pushed).toMatch(/^sha256:[0-9a-f]{64}$/);

    const head = await headDigest('app/one', '0123abc');
    expect(head.status).toBe(200);
    expect(head.headers.get('docker-content-digest')).toBe(pushed);
    expect(await registry.digest('app/one', '0123abc')).toBe(pushed);

    const inspected = JSON.parse(await ok('skopeo', ['inspect', `docker://${image}`])) as {
      Digest: string;
      Labels: Record<string, string>;
    };
    expect(inspected.Digest).toBe(pushed);
    expect(inspected.Labels['org.opencontainers.image.revision']).toBe('0123abc');

    // By digest, the same manifest (what everything downstream deploys).
    const byDigest = await headDigest('app/one', pushed);
    expect(byDigest.status).toBe(200);
    expect(byDigest.headers.get('docker-content-digest')).toBe(pushed);
  });

  test('a multi-stage Dockerfile builds, and the final stage holds what the first one made', async () => {
    const { registry } = bed;
    const image = `${registry.host}/app/multi:1`;
    const dir = context(
      'multi',
      `FROM ${registry.baseImage} AS build\n` +
        'WORKDIR /work\n' +
        'COPY src.txt .\n' +
        'RUN tr a-z A-Z < src.txt > out.txt && mkdir -p /dist && cp out.txt /dist/\n' +
        `FROM ${registry.baseImage}\n` +
        'COPY --from=build /dist/out.txt /app/out.txt\n' +
        'CMD ["cat", "/app/out.txt"]\n',
      { 'src.txt': 'multi stage\n' },
    );
    await ok('buildah', ['bud', '--quiet', '-t', image, dir]);
    const container = (await ok('buildah', ['from', '--quiet', image])).trim();
    try {
      expect(await ok('buildah', ['run', container, '--', 'cat', '/app/out.txt'])).toBe('MULTI STAGE\n');
      // The build stage's working files stay out of the final image.
      expect((await tool('buildah', ['run', container, '--', 'test', '-e', '/work/src.txt'])).code).not.toBe(0);
    } finally {
      await ok('buildah', ['rm', container]);
    }
    await ok('buildah', ['push', '--quiet', image]);
    expect(await registry.digest('app/multi', '1')).toMatch(/^sha256:/);
  });

  test('an authenticated registry refuses an anonymous push and accepts one after login', async () => {
    const { registry } = bed;
    const auth = await registry.startAuthenticated();
    try {
      const image = `${auth.host}/app/private:1`;
      await ok('buildah', ['pull', '--quiet', registry.baseImage]);
      await ok('buildah', ['tag', registry.baseImage, image]);
      const refused = await tool('buildah', ['push', image]);
      expect(refused.code).not.toBe(0);
      expect(refused.stderr).toMatch(/unauthorized|authentication required/i);

      await ok('buildah', ['login', '--username', auth.username, '--password-stdin', auth.host], auth.password);
      try {
        await ok('buildah', ['push', '--quiet', image]);
        const response = await fetch(`${auth.url}/v2/app/private/tags/list`, {
          headers: { Authorization: `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}` },
        });
        expect(await response.json()).toEqual({ name: 'app/private', tags: ['1'] });
      } finally {
        await ok('buildah', ['logout', auth.host]);
      }
    } finally {
      await auth.stop();
    }
  });
});
