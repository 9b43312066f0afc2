// build-image's build secrets on the bed, for both builders (buildah; docker buildx on the bed's
// engine): a value, an environment variable and a file each reach a RUN --mount=type=secret step,
// and then every pushed blob (each layer unpacked, the config with its history, the manifest), the
// log and the step summary are scanned for the values: none is found. A secret no step mounts is
// refused before any request, naming its input, without showing the value.
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, test } from 'vitest';
import { buildImage, type BuildImageOptions } from '../../actions/build-image/src/action.ts';
import { readBuildImageInputs } from '../../actions/build-image/src/inputs.ts';
import { readGitHubContext } from '../../packages/shared/src/context.ts';
import type { InputError, ProblemsError } from '../../packages/shared/src/errors.ts';
import { ActionInputs, inputEnv } from '../../packages/shared/src/inputs.ts';
import { memoryLog } from '../../packages/shared/src/log.ts';
import { useBed } from '../bed/vitest.ts';
import { accessLog, buildOptions, noEngineEnv, rejection, shaOf } from './build-image-bed.ts';
import { root, runBundle } from './bundle-run.ts';

const bed = useBed(['registry', 'docker']);

const manifestTypes = 'application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json';

const baseEnv = (): Record<string, string> => noEngineEnv(bed.registry);

const paths = [
  { name: 'buildah', env: baseEnv, over: {} as Partial<BuildImageOptions> },
  { name: 'buildx', env: () => ({ ...baseEnv(), ...bed.docker.env }), over: { network: 'host' } as Partial<BuildImageOptions> },
];

/** One step mounts the three secrets, records only their lengths, and says so. */
function context(name: string, secretFile: string): string {
  const dir = join(bed.dir, 'secret-apps', name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, 'Dockerfile'),
    [
      'ARG BASE',
      'FROM ${BASE}',
      'RUN --mount=type=secret,id=npm_token --mount=type=secret,id=from_env --mount=type=secret,id=from_file \\',
      "    for s in npm_token from_env from_file; do test -s /run/secrets/$s && wc -c < /run/secrets/$s > /length-$s; done && printf 'secrets%s mounted\\n' ':'",
      'RUN echo built > /built',
      '',
    ].join('\n'),
  );
  writeFileSync(join(dir, 'token.txt'), secretFile);
  return dir;
}

/** The entries of an uncompressed tar: name → content. */
function untar(tar: Buffer): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  let offset = 0;
  while (offset + 512 <= tar.length) {
    const header = tar.subarray(offset, offset + 512);
    if (header.every((b) => b === 0)) break;
    const name = header.subarray(0, 100).toString('utf8').replace(/\0.*$/s, '');
    const size = Number.parseInt(header.subarray(124, 136).toString('utf8').replace(/\0.*$/s, '').trim() || '0', 8);
    files.set(name.replace(/^\.\//, ''), tar.subarray(offset + 512, offset + 512 + size));
    offset += 512 + Math.ceil(size / 512) * 512;
  }
  return files;
}

/** Every blob the image consists of, as bytes (layers unpacked), with the manifest. */
async function pushedBlobs(repository: string, digest: string): Promise<{ name: string; bytes: Buffer }[]> {
  const base = `${bed.registry.url}/v2/${repository}`;
  const manifestBytes = Buffer.from(
    await (await fetch(`${base}/manifests/${digest}`, { headers: { Accept: manifestTypes } })).arrayBuffer(),
  );
  const manifest = JSON.parse(manifestBytes.toString('utf8')) as { config: { digest: string }; layers: { digest: string }[] };
  const out = [{ name: 'manifest', bytes: manifestBytes }];
  for (const blob of [manifest.config, ...manifest.layers]) {
    let bytes = Buffer.from(await (await fetch(`${base}/blobs/${blob.digest}`)).arrayBuffer());
    if (bytes[0] === 0x1f && bytes[1] === 0x8b) bytes = gunzipSync(bytes);
    out.push({ name: blob.digest, bytes });
  }
  return out;
}

describe.each(paths)('build secrets ($name)', (path) => {
  test('a value, an environment variable and a file reach the RUN step; no pushed blob, log or summary holds any of them', async () => {
    const values = {
      npm_token: `npm-${randomBytes(12).toString('hex')}`,
      from_env: `env-${randomBytes(12).toString('hex')}`,
      from_file: `file-${randomBytes(12).toString('hex')}`,
    };
    const dir = context(`ok-${path.name}`, values.from_file);
    const name = `secrets-${path.name}`;
    const opts = buildOptions(bed, name, {
      repository: `${bed.registry.host}/secrets/${path.name}`,
      workspace: dir,
      context: '.',
      buildArgs: { BASE: bed.registry.baseImage },
      env: { ...path.env(), BED_SECRET_FROM_ENV: values.from_env },
      secrets: [
        { id: 'npm_token', input: 'secrets', from: values.npm_token },
        { id: 'from_env', input: 'secret-envs', from: 'BED_SECRET_FROM_ENV' },
        { id: 'from_file', input: 'secret-files', from: 'token.txt' },
      ],
      ...path.over,
      log: memoryLog(),
    });
    const result = await buildImage(opts);
    expect(
      opts.log.lines.some((l) => l.includes('secrets: mounted')),
      opts.log.lines.join('\n'),
    ).toBe(true);

    const blobs = await pushedBlobs(`secrets/${path.name}`, result.digest);
    // The step saw each secret: the files it wrote hold their lengths.
    const files = new Map(blobs.flatMap((b) => (b.name === 'manifest' ? [] : [...safeUntar(b.bytes)])));
    for (const [id, value] of Object.entries(values)) {
      expect(files.get(`length-${id}`)?.toString('utf8').trim(), id).toBe(String(value.length));
    }
    const config = blobs[1]?.bytes.toString('utf8') ?? '';
    expect(config).toContain('"history"');
    const summary = readFileSync(opts.summaryPath ?? '', 'utf8');
    for (const value of Object.values(values)) {
      for (const blob of blobs) expect(blob.bytes.includes(Buffer.from(value)), `${blob.name} holds a secret`).toBe(false);
      expect(opts.log.lines.join('\n')).not.toContain(value);
      expect(summary).not.toContain(value);
    }
  });

  test('through the committed bundle: each value is masked before anything else is printed, and appears nowhere else in the job log', async () => {
    const values = { npm_token: `npm-${randomBytes(12).toString('hex')}`, from_env: `env-${randomBytes(12).toString('hex')}` };
    const dir = context(`bundle-${path.name}`, `file-${randomBytes(12).toString('hex')}`);
    const run = await runBundle(
      'build-image',
      {
        repository: `${bed.registry.host}/secrets/bundle-${path.name}`,
        'build-args': `BASE=${bed.registry.baseImage}`,
        secrets: `npm_token=${values.npm_token}`,
        'secret-envs': 'from_env=BED_SECRET_FROM_ENV',
        'secret-files': 'from_file=token.txt',
        ...(path.name === 'buildx' ? { network: 'host' } : {}),
      },
      { ...path.env(), BED_SECRET_FROM_ENV: values.from_env, GITHUB_SHA: shaOf(`secrets-bundle-${path.name}`) },
      { workspace: dir, home: process.env.HOME },
    );
    expect(run.status, run.stdout).toBe(0);
    expect(run.outputs.digest).toMatch(/^sha256:/);
    const lines = `${run.stdout}\n${run.stderr}`.split('\n');
    for (const value of Object.values(values)) {
      const masked = lines.indexOf(`::add-mask::${value}`);
      expect(masked, 'the value is masked').toBeGreaterThanOrEqual(0);
      // Nothing but the mask command carries it, and nothing of the build was printed before the mask.
      expect(lines.filter((l) => l.includes(value))).toEqual([`::add-mask::${value}`]);
      expect(lines.slice(0, masked).some((l) => l.startsWith('Image ') || l.includes('::group::'))).toBe(false);
      expect(run.summary).not.toContain(value);
    }
  });

  test('a secret no step mounts is refused naming its input, before any request, without its value', async () => {
    const value = `unused-${randomBytes(8).toString('hex')}`;
    const dir = context(`unused-${path.name}`, 'x');
    const repo = `secrets/unused-${path.name}`;
    const opts = buildOptions(bed, `secrets-unused-${path.name}`, {
      repository: `${bed.registry.host}/${repo}`,
      workspace: dir,
      context: '.',
      buildArgs: { BASE: bed.registry.baseImage },
      env: path.env(),
      secrets: [
        { id: 'npm_token', input: 'secrets', from: 'x' },
        { id: 'gh_token', input: 'secrets', from: value },
      ],
      ...path.over,
      log: memoryLog(),
    });
    const error = await rejection(buildImage(opts));
    expect((error as InputError).input).toBe('secrets');
    expect(error.message).toBe(
      `input 'secrets': secret "gh_token" is not mounted by any RUN --mount=type=secret,id=gh_token in Dockerfile (it mounts: npm_token, from_env, from_file): no step would see it`,
    );
    expect(error.message).not.toContain(value);
    const log = await accessLog(bed.dir, bed.registry.url);
    expect(log.filter((l) => l.includes(`/v2/${repo}/`)).length).toBe(0);
  });
});

function safeUntar(bytes: Buffer): Map<string, Buffer> {
  try {
    return untar(bytes);
  } catch {
    return new Map();
  }
}

describe('secrets: the input layer', () => {
  const context = readGitHubContext({ GITHUB_SHA: shaOf('secret-inputs'), GITHUB_WORKSPACE: root });
  const read = (values: Record<string, string>) =>
    readBuildImageInputs(new ActionInputs(inputEnv({ repository: '127.0.0.1:5000/x/y', ...values })), context);

  test('id=value, id=ENV and id=path lines; a value may hold = and spaces', () => {
    const inputs = read({ secrets: 'npm_token=a=b c\n', 'secret-envs': 'gh=GH_TOKEN', 'secret-files': 'cert = certs/ca.pem' });
    expect(inputs.secrets).toEqual([
      { id: 'npm_token', input: 'secrets', from: 'a=b c' },
      { id: 'gh', input: 'secret-envs', from: 'GH_TOKEN' },
      { id: 'cert', input: 'secret-files', from: 'certs/ca.pem' },
    ]);
  });

  test('a malformed line is named by its number, never shown; an id given twice is refused', () => {
    let error: ProblemsError | undefined;
    try {
      read({ secrets: 'npm_token=ok\nhunter2-without-an-id', 'secret-envs': 'npm_token=NPM' });
    } catch (e) {
      error = e as ProblemsError;
    }
    expect(error?.problems.map((p) => p.input)).toEqual(['secrets', 'secrets']);
    expect(error?.message).toContain("input 'secrets': line 2: expected id=value");
    expect(error?.message).toContain('secret "npm_token" is given more than once');
    expect(error?.message).not.toContain('hunter2');
  });
});
