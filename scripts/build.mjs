// Bundles each action's src/main.ts into actions/<name>/dist/index.js with ncc (minified, no
// source map in the committed bundle), and an action's src/post.ts, when it has one, into
// dist/post.js (its `runs.post`). `node scripts/build.mjs [action...]`.
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
  const post = join(root, 'actions', action, 'src', 'post.ts');
  if (existsSync(post)) await buildPost(post, dist, action);
}

/** The post step's bundle, dist/post.js, beside index.js; its files must not clash with the main bundle's. */
async function buildPost(entry, dist, action) {
  const started = Date.now();
  const { code, assets } = await ncc(entry, { minify: true, sourceMap: false, target: 'es2022', quiet: true, transpileOnly: true });
  writeFileSync(join(dist, 'post.js'), code);
  for (const [name, asset] of Object.entries(assets ?? {})) {
    const source = name.endsWith('.js') ? await minifyChunk(name, asset.source.toString()) : asset.source;
    const target = join(dist, name);
    if (existsSync(target) && !readFileSync(target).equals(Buffer.from(source))) {
      throw new Error(`${action}: the post bundle's ${name} differs from the main bundle's file of that name`);
    }
    mkdirSync(join(target, '..'), { recursive: true });
    writeFileSync(target, source);
  }
  console.log(`${action}: dist/post.js ${(Buffer.byteLength(code) / 1024).toFixed(0)} KiB in ${Date.now() - started} ms`);
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
