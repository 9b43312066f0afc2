// Bundles each action's src/main.ts into actions/<name>/dist/index.js with ncc (minified, no
// source map in the committed bundle). `node scripts/build.mjs [action...]`.
import ncc from '@vercel/ncc';
import { minify } from 'terser';
import { createHash } from 'node:crypto';
import { homedir } from 'node:os';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
// Minifying client-node's chunk takes a minute; the same input always gives the same output,
// so results are cached by the input's hash outside the repo (check-dist rebuilds everything).
const minifyCache = join(process.env.EXPEDITOR_CACHE ?? join(homedir(), '.cache', 'expeditor'), 'terser');
const all = readdirSync(join(root, 'actions')).filter((a) => existsSync(join(root, 'actions', a, 'action.yml')));
const wanted = process.argv.slice(2);
const actions = wanted.length ? wanted : all;

for (const action of actions) {
  if (!all.includes(action)) throw new Error(`unknown action '${action}' (have: ${all.join(', ')})`);
  const started = Date.now();
  const { code, assets } = await ncc(join(root, 'actions', action, 'src', 'main.ts'), {
    minify: true,
    sourceMap: false,
    target: 'es2022',
    quiet: true,
    transpileOnly: true, // `npm run typecheck` checks types; the bundler only strips them
  });
  const dist = join(root, 'actions', action, 'dist');
  rmSync(dist, { recursive: true, force: true });
  mkdirSync(dist, { recursive: true });
  writeFileSync(join(dist, 'index.js'), code);
  for (const [name, asset] of Object.entries(assets ?? {})) {
    mkdirSync(join(dist, name, '..'), { recursive: true });
    // ncc minifies the entry only; the chunks of lazily loaded clients would stay full size.
    const source = name.endsWith('.js') ? await minifyChunk(name, asset.source.toString()) : asset.source;
    writeFileSync(join(dist, name), source);
  }
  const kb = (Buffer.byteLength(code) / 1024).toFixed(0);
  const total = Object.values(assets ?? {}).reduce((n, a) => n + Buffer.byteLength(a.source), 0);
  console.log(
    `${action}: dist/index.js ${kb} KiB + ${Object.keys(assets ?? {}).length} lazy chunks (${(total / 1024).toFixed(0)} KiB before minifying) in ${Date.now() - started} ms`,
  );
}

async function minifyChunk(name, source) {
  const key = createHash('sha256').update(source).digest('hex');
  const cached = join(minifyCache, `${key}.js`);
  if (existsSync(cached)) return readFileSync(cached, 'utf8');
  const result = await minify(source, { module: true, compress: { passes: 1 }, mangle: true, format: { comments: false } });
  if (result.code === undefined) throw new Error(`terser produced nothing for ${name}`);
  mkdirSync(minifyCache, { recursive: true });
  writeFileSync(`${cached}.tmp${process.pid}`, result.code);
  renameSync(`${cached}.tmp${process.pid}`, cached);
  return result.code;
}
