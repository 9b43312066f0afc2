// The layout rule, proven by the linter itself: an action is not a library. Actions and packages
// import packages (@expeditor/<package>/<module>), never another action; nothing imports
// @expeditor/<action>. The project's biome.json is run on a small tree of fixture files.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../..');
const work = mkdtempSync(join(tmpdir(), 'import-ban-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Lints one file at `path` (relative to a fresh tree with the project's biome.json); the rules it broke. */
function lint(path: string, source: string): string[] {
  const tree = mkdtempSync(join(work, 'tree-'));
  cpSync(join(root, 'biome.json'), join(tree, 'biome.json'));
  mkdirSync(join(tree, dirname(path)), { recursive: true });
  writeFileSync(join(tree, path), source);
  let out: string;
  try {
    out = execFileSync(join(root, 'node_modules/.bin/biome'), ['lint', '--reporter=json', path], {
      cwd: tree,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  } catch (error) {
    out = String((error as { stdout?: string }).stdout ?? '');
  }
  const report = JSON.parse(out.slice(out.indexOf('{'))) as { diagnostics: { category: string }[] };
  return report.diagnostics.map((d) => d.category);
}

const banned = 'lint/style/noRestrictedImports';

describe('the import ban', () => {
  it.each([
    [
      'an action importing another action by name',
      'actions/bluegreen-switch/src/ecs/x.ts',
      "import { a } from '@expeditor/deploy-ecs/deploy';",
    ],
    [
      'an action reaching into another action by path',
      'actions/bluegreen-switch/src/x.ts',
      "import { a } from '../../deploy-ecs/src/deploy.ts';",
    ],
    ['a package importing an action', 'packages/codedeploy/src/x.ts', "import { a } from '../../../actions/deploy-ecs/src/deploy.ts';"],
    ['a package reaching into another package by path', 'packages/bluegreen/src/x.ts', "import { a } from '../../kube/src/watch.ts';"],
    ['a test importing an action by name', 'test/unit/x.test.ts', "import { a } from '@expeditor/deploy-eks/plan';"],
  ])('refuses %s', (_, path, line) => {
    expect(lint(path, `${line}\nexport { a };\n`)).toContain(banned);
  });

  it.each([
    ['an action importing a package', 'actions/bluegreen-switch/src/ecs/x.ts', "import { a } from '@expeditor/codedeploy/follow';"],
    ['an action importing its own module', 'actions/bluegreen-switch/src/eks/x.ts', "import { a } from '../names.ts';"],
    ['a test importing an action file by path', 'test/unit/x.test.ts', "import { a } from '../../actions/deploy-eks/src/plan.ts';"],
  ])('allows %s', (_, path, line) => {
    expect(lint(path, `${line}\nexport { a };\n`)).not.toContain(banned);
  });
});
