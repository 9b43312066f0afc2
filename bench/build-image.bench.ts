// build-image on the bed (real registry, real buildah), figures only:
//  - re-run for a commit whose tag exists: wall time of the committed bundle (spawn → exit, as a
//    runner step) and of the core call, and layers pushed, counted in the registry's access log;
//  - first build: build-image against `buildah bud` + `buildah push` by hand on the same context,
//    interleaved in the same run so machine noise hits both alike.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { buildImage, type BuildImageOptions } from '../actions/build-image/src/action.ts';
import { memoryLog } from '../packages/shared/src/log.ts';
import { startBed } from '../test/bed/index.ts';
import { median, ms, printTable, runs } from './stats.ts';

const root = resolve(import.meta.dirname, '..');
const bundle = join(root, 'actions', 'build-image', 'dist', 'index.js');
const n = runs(6);
const bed = await startBed(['registry']);
const env = { ...(process.env as Record<string, string>), ...bed.registry.containerEnv };
const work = mkdtempSync(join(tmpdir(), 'bench-build-image-'));
const sha = (text: string): string => createHash('sha1').update(text).digest('hex');
const buildArgs = { BASE: bed.registry.baseImage, VERSION: 'bench' };

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
} finally {
  await bed.stop();
}
