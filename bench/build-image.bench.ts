// build-image on the bed (real registry, real buildah), figures only:
//  - re-run for a commit whose tag exists: wall time of the committed bundle (spawn → exit, as a
//    runner step) and of the core call, and layers pushed, counted in the registry's access log;
//  - first build: build-image against `buildah bud` + `buildah push` by hand on the same context,
//    interleaved in the same run so machine noise hits both alike;
//  - layer cache across runners (input cache): the next commit (one source file changed) built on
//    a fresh runner (empty local storage) against the cold build of the same round, per builder —
//    buildah on a vfs store (as the rest of the bed) and on an overlay store (as on GitHub's
//    hosted runners), buildx on a remote builder (registry cache), buildx on the engine's own
//    builder (inline cache) — on examples/app as it is, and on a Node-shaped context (dependencies from a
//    lock file in a stage of their own, before the sources).
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { buildImage, type BuildImageOptions } from '../actions/build-image/src/action.ts';
import { memoryLog } from '../packages/shared/src/log.ts';
import { startBed } from '../test/bed/index.ts';
import { median, ms, printTable, runs } from './stats.ts';

const root = resolve(import.meta.dirname, '..');
const bundle = join(root, 'actions', 'build-image', 'dist', 'index.js');
const n = runs(6);
const bed = await startBed(['registry', 'docker']);
const env = { ...(process.env as Record<string, string>), ...bed.registry.containerEnv };
const work = mkdtempSync(join(tmpdir(), 'bench-build-image-'));
const sha = (text: string): string => createHash('sha1').update(text).digest('hex');
const buildArgs = { BASE: bed.registry.baseImage, VERSION: 'bench' };
let storeCount = 0;
/** EXPEDITOR_BENCH_SECTION=cache runs only the layer-cache figures. */
const only = process.env.EXPEDITOR_BENCH_SECTION;

function run(command: string, args: string[], extraEnv: Record<string, string> = {}): Promise<{ code: number; ms: number; out: string }> {
  const started = performance.now();
  return new Promise((done) => {
    const child = spawn(command, args, { cwd: root, env: { ...env, ...extraEnv }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (out += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (out += c));
    child.once('close', (code) => done({ code: code ?? 1, ms: performance.now() - started, out }));
  });
}

/** Blob uploads (layers and config) to `repo` in the registry's access log, once every request so far is logged. */
let markers = 0;
async function uploadsTo(repo: string): Promise<number> {
  const marker = `marker-${++markers}`;
  await fetch(`${bed.registry.url}/v2/${marker}/tags/list`).then((r) => r.body?.cancel());
  for (;;) {
    const lines = readFileSync(join(bed.dir, 'logs', 'registry.log'), 'utf8')
      .split('\n')
      .filter((l) => /^\S+ - \S+ \[/.test(l));
    if (lines.some((l) => l.includes(marker))) return lines.filter((l) => l.includes(`"POST /v2/${repo}/blobs/uploads/`)).length;
    await new Promise((r) => setTimeout(r, 25));
  }
}

function options(repository: string, tag: string): BuildImageOptions {
  return {
    repository: `${bed.registry.host}/${repository}`,
    config: { workspace: work, shownAs: 'none.yml' },
    workspace: root,
    context: 'examples/app',
    dockerfile: 'Dockerfile',
    target: undefined,
    buildArgs,
    labels: {},
    tag,
    extraTags: [],
    createRepository: false,
    force: false,
    builder: 'auto',
    credentials: undefined,
    revision: tag,
    source: 'https://github.com/acme/shop',
    env,
    log: memoryLog(),
  };
}

function bundleEnv(repository: string, tag: string): Record<string, string> {
  writeFileSync(join(work, 'output'), '');
  return {
    GITHUB_WORKSPACE: root,
    GITHUB_SHA: tag,
    GITHUB_REPOSITORY: 'acme/shop',
    GITHUB_OUTPUT: join(work, 'output'),
    GITHUB_STEP_SUMMARY: join(work, 'summary.md'),
    INPUT_REPOSITORY: `${bed.registry.host}/${repository}`,
    INPUT_CONTEXT: 'examples/app',
    'INPUT_BUILD-ARGS': Object.entries(buildArgs)
      .map(([k, v]) => `${k}=${v}`)
      .join('\n'),
  };
}

try {
  if (only !== 'cache') await buildFigures();
  await cacheAcrossRunners();
} finally {
  await bed.stop();
}

async function buildFigures(): Promise<void> {
  // Warm-up: the base image into local storage, so no round pays for the first pull.
  await buildImage(options('bench/warm', sha('warm')));

  // --- re-run for an existing commit ----------------------------------------------------------
  const rerunTag = sha('rerun');
  const first = await run(process.execPath, [bundle], bundleEnv('bench/rerun', rerunTag));
  if (first.code !== 0) throw new Error(`the first bundle run failed:\n${first.out.slice(-2000)}`);
  const firstUploads = await uploadsTo('bench/rerun');
  const bundleMs: number[] = [];
  const coreMs: number[] = [];
  let skipped = 0;
  for (let i = 0; i < n; i++) {
    const again = await run(process.execPath, [bundle], bundleEnv('bench/rerun', rerunTag));
    if (again.code !== 0) throw new Error(`a re-run failed:\n${again.out.slice(-2000)}`);
    if (readFileSync(join(work, 'output'), 'utf8').includes('\ntrue\n')) skipped++;
    bundleMs.push(again.ms);
    const started = performance.now();
    const result = await buildImage(options('bench/rerun', rerunTag));
    coreMs.push(performance.now() - started);
    if (result.skipped) skipped++;
  }
  const rerunUploads = (await uploadsTo('bench/rerun')) - firstUploads;
  printTable(
    `Re-run for an existing commit (median of ${n}; ${skipped}/${2 * n} runs reused the tag)`,
    ['what', 'wall time', 'blobs uploaded (layers + config)'],
    [
      ['first run (bundle: build + push)', ms(first.ms), String(firstUploads)],
      ['re-run, bundle (spawn → exit)', ms(median(bundleMs)), '—'],
      ['re-run, core call in process', ms(median(coreMs)), '—'],
      [`all ${2 * n} re-runs together`, '—', String(rerunUploads)],
    ],
  );

  // --- first build: build-image against buildah by hand -----------------------------------------
  const ours: number[] = [];
  const oursBuild: number[] = [];
  const hand: number[] = [];
  const handBud: number[] = [];
  const contextDir = join(root, 'examples', 'app');
  for (let i = 0; i < n; i++) {
    const tag = sha(`first-${i}-${Date.now()}`);
    const viaAction = async (): Promise<void> => {
      const started = performance.now();
      const result = await buildImage(options('bench/ours', tag));
      ours.push(performance.now() - started);
      oursBuild.push(result.buildMs ?? Number.NaN);
    };
    const byHand = async (): Promise<void> => {
      const local = `${bed.registry.host}/bench/hand:${tag}`;
      const bud = await run('buildah', [
        'bud',
        '--file',
        join(contextDir, 'Dockerfile'),
        ...Object.entries(buildArgs).flatMap(([k, v]) => ['--build-arg', `${k}=${v}`]),
        '--tag',
        local,
        contextDir,
      ]);
      const push = await run('buildah', ['push', local, `docker://${local}`]);
      if (bud.code !== 0 || push.code !== 0) throw new Error(`buildah by hand failed:\n${(bud.out + push.out).slice(-2000)}`);
      hand.push(bud.ms + push.ms);
      handBud.push(bud.ms);
    };
    // Alternating which goes first, so neither always meets the busier storage.
    if (i % 2 === 0) {
      await viaAction();
      await byHand();
    } else {
      await byHand();
      await viaAction();
    }
  }
  const overhead = median(ours) - median(hand);
  // Besides the bud itself: the push by hand, against build-image's check, builder choice, push,
  // digest read-back and size. Less noisy than the totals, where bud dominates.
  const handRest = hand.map((t, i) => t - (handBud[i] ?? 0));
  const oursRest = ours.map((t, i) => t - (oursBuild[i] ?? 0));
  printTable(
    `First build of examples/app (median of ${n} interleaved rounds, buildah on vfs)`,
    ['what', 'wall time', 'bud', 'all but bud'],
    [
      ['buildah bud + buildah push by hand', ms(median(hand)), ms(median(handBud)), ms(median(handRest))],
      ['build-image (check, build, push, read back)', ms(median(ours)), ms(median(oursBuild)), ms(median(oursRest))],
      [
        'overhead of build-image',
        `${ms(overhead)} (${((overhead / median(hand)) * 100).toFixed(0)}%)`,
        '—',
        ms(median(oursRest) - median(handRest)),
      ],
    ],
  );
}

// --- layer cache across runners -------------------------------------------------------------------

/** A Node-shaped context: a dependency stage (20 MB of node_modules from a lock file, ~7 s), then the sources. */
function nodeShaped(dir: string, lock: string, source: string): void {
  mkdirSync(join(dir, 'src'), { recursive: true });
  writeFileSync(
    join(dir, 'Dockerfile'),
    [
      'ARG BASE',
      'FROM ${BASE} AS deps',
      'WORKDIR /app',
      'COPY package-lock.txt ./',
      // Stands in for npm ci: 400 packages and 20 MB of node_modules, and ~7 s of CPU on this machine
      // (a SHA-256 of 1 GB), where a real install spends its time downloading and unpacking.
      'RUN mkdir -p node_modules && for p in $(seq 1 400); do mkdir -p node_modules/p$p && echo "module.exports = $p" > node_modules/p$p/index.js; done && head -c 20000000 /dev/urandom > node_modules/blob.bin && head -c 1000000000 /dev/zero | sha256sum > node_modules/.integrity',
      'FROM deps AS build',
      'COPY src/ ./src/',
      'RUN cat src/*.js > dist.js',
      'FROM ${BASE}',
      'WORKDIR /app',
      'COPY --from=deps /app/node_modules ./node_modules',
      'COPY --from=build /app/dist.js ./dist.js',
      'CMD ["cat", "/app/dist.js"]',
      '',
    ].join('\n'),
  );
  writeFileSync(join(dir, 'package-lock.txt'), lock);
  writeFileSync(join(dir, 'src', 'main.js'), source);
  writeFileSync(join(dir, 'src', 'util.js'), 'module.exports = {};\n');
}

/** examples/app as it is, with one source file changed when `change` is set. */
function exampleApp(dir: string, change: string | undefined): void {
  cpSync(join(root, 'examples', 'app'), dir, { recursive: true });
  if (change)
    writeFileSync(join(dir, 'src', 'index.html.in'), `${readFileSync(join(dir, 'src', 'index.html.in'), 'utf8')}<!-- ${change} -->\n`);
}

type CacheBuilder = 'buildah' | 'buildah-overlay' | 'remote' | 'engine';

/**
 * An environment whose local storage is empty: a fresh buildah store, or the engine pruned.
 * buildah's store is vfs as on the rest of the bed (every layer a full copy), or overlay, what
 * buildah uses on GitHub's hosted runners (layers stacked, not copied).
 */
async function freshRunner(builder: CacheBuilder): Promise<Record<string, string>> {
  if (builder === 'buildah' || builder === 'buildah-overlay') {
    const dir = join(work, 'stores', String(++storeCount));
    mkdirSync(dir, { recursive: true });
    const conf = join(dir, 'storage.conf');
    const driver = builder === 'buildah' ? 'vfs' : 'overlay';
    writeFileSync(conf, `[storage]\ndriver = "${driver}"\ngraphroot = "${join(dir, 'storage')}"\nrunroot = "${join(dir, 'run')}"\n`);
    return { ...env, CONTAINERS_STORAGE_CONF: conf, STORAGE_DRIVER: driver };
  }
  const remote = builder === 'remote' ? await bed.docker.remoteBuilder() : bed.docker.env;
  await bed.docker.reset();
  return { ...env, ...remote };
}

async function cacheAcrossRunners(): Promise<void> {
  const rounds = runs(5);
  const rows: string[][] = [];
  const cases: { context: 'node-shaped' | 'examples/app'; builder: CacheBuilder }[] = [
    { context: 'node-shaped', builder: 'buildah' },
    { context: 'node-shaped', builder: 'buildah-overlay' },
    { context: 'node-shaped', builder: 'remote' },
    { context: 'node-shaped', builder: 'engine' },
    { context: 'examples/app', builder: 'buildah' },
    { context: 'examples/app', builder: 'buildah-overlay' },
    { context: 'examples/app', builder: 'remote' },
  ];
  // EXPEDITOR_BENCH_BUILDERS=buildah,buildah-overlay runs only those builders' rows.
  const builders = process.env.EXPEDITOR_BENCH_BUILDERS?.split(',');
  for (const c of cases.filter((k) => !builders || builders.includes(k.builder))) {
    const cold: number[] = [];
    const warm: number[] = [];
    const noCache: number[] = [];
    const coldUploads: number[] = [];
    const warmUploads: number[] = [];
    let depsHits = 0;
    for (let i = 0; i < rounds; i++) {
      // Each round its own repository (the cache lives there) and its own lock file: no round starts warm.
      const repo = `bench/cache-${c.context.replace(/\W/g, '')}-${c.builder}-${i}-${Date.now()}`;
      const contexts = ['a', 'b', 'plain'].map((k) => join(work, 'cache-ctx', `${repo.replace(/\//g, '_')}-${k}`));
      if (c.context === 'node-shaped') {
        const lock = `lock ${repo}\n`;
        nodeShaped(contexts[0] ?? '', lock, 'console.log("one");\n');
        nodeShaped(contexts[1] ?? '', lock, 'console.log("two");\n');
        nodeShaped(contexts[2] ?? '', lock, 'console.log("one");\n');
      } else {
        exampleApp(contexts[0] ?? '', undefined);
        exampleApp(contexts[1] ?? '', `round ${i}`);
        exampleApp(contexts[2] ?? '', undefined);
      }
      const build = async (context: string, name: string, cache: boolean) => {
        const opts: BuildImageOptions = {
          ...options(`${repo}${cache ? '' : '-nocache'}`, sha(`${repo}-${name}`)),
          workspace: context,
          context: '.',
          buildArgs: { BASE: bed.registry.baseImage },
          env: await freshRunner(c.builder),
          builder: c.builder.startsWith('buildah') ? 'buildah' : 'buildx',
          network: c.builder === 'engine' ? 'host' : 'default',
          ...(cache ? { cache: { kind: 'image-repository' as const } } : {}),
        };
        const before = await uploadsTo(repo);
        const started = performance.now();
        const result = await buildImage(opts);
        const took = performance.now() - started;
        const lines = (opts.log as ReturnType<typeof memoryLog>).lines;
        return { took, uploads: (await uploadsTo(repo)) - before, result, lines };
      };
      const plain = await build(contexts[2] ?? '', 'plain', false);
      noCache.push(plain.took);
      const first = await build(contexts[0] ?? '', 'a', true);
      cold.push(first.took);
      coldUploads.push(first.uploads);
      const next = await build(contexts[1] ?? '', 'b', true);
      warm.push(next.took);
      warmUploads.push(next.uploads);
      if (next.lines.some((l) => /Using cache|CACHED/.test(l))) depsHits++;
    }
    rows.push([
      `${c.context}, ${c.builder === 'buildah' ? 'buildah (vfs store)' : c.builder === 'buildah-overlay' ? 'buildah (overlay store)' : c.builder === 'remote' ? 'buildx (remote builder, registry cache)' : 'buildx (engine, inline cache)'}`,
      ms(median(noCache)),
      ms(median(cold)),
      ms(median(warm)),
      `${((median(warm) / median(noCache)) * 100).toFixed(0)}% / ${((median(warm) / median(cold)) * 100).toFixed(0)}%`,
      `${median(coldUploads)} / ${median(warmUploads)}`,
      `${depsHits}/${rounds}`,
    ]);
  }
  printTable(
    `Layer cache across runners (median of ${runs(5)} rounds; each build on empty local storage; warm = next commit, one source file changed)`,
    [
      'context, builder',
      'cold, no cache',
      'cold + cache written',
      'warm from cache',
      'warm / cold (no cache / cache written)',
      'blobs uploaded cold / warm',
      'rounds with cache hits',
    ],
    rows,
  );
}
