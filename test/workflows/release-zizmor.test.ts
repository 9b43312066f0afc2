// What a release ships passes zizmor's default policy (no project configuration): made by
// scripts/release.ts on a temporary clone, the released workflows and examples reference
// Expeditor by commit SHA like every other action, so zizmor reports no high finding; and the
// examples on main (pinned to a placeholder the release replaces) pass it too.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { release } from '../../scripts/release.ts';
import { zizmorPath } from '../bed/tools.ts';
import { root } from '../e2e/deploy-ecs-bed.ts';

const base = mkdtempSync(join(tmpdir(), 'release-zizmor-'));
afterAll(() => rmSync(base, { recursive: true, force: true }));

interface Finding {
  ident: string;
  desc: string;
  determinations: { severity: string };
  locations: { symbolic: { key: { Local?: { given_path: string } } } }[];
}

function zizmor(cwd: string, files: string[]): Finding[] {
  const r = spawnSync(zizmorPath(), ['--offline', '--no-progress', '--format', 'json', ...files], { cwd, encoding: 'utf8' });
  expect(r.stdout, r.stderr).not.toBe('');
  return JSON.parse(r.stdout) as Finding[];
}

const yml = (dir: string, sub: string): string[] =>
  readdirSync(join(dir, sub))
    .filter((f) => f.endsWith('.yml'))
    .map((f) => `${sub}/${f}`);

const show = (findings: Finding[]): string[] =>
  findings.map((f) => `${f.determinations.severity} ${f.ident}: ${f.desc} (${f.locations[0]?.symbolic.key.Local?.given_path})`);

describe('zizmor, default policy', () => {
  it('the examples on main: no high finding', () => {
    const high = zizmor(root, yml(root, 'examples/workflows')).filter((f) => f.determinations.severity === 'High');
    expect(show(high)).toEqual([]);
  });

  it('a release made from this commit: its workflows and examples have no high finding, the examples none at all', () => {
    const work = join(base, 'work');
    execFileSync('git', ['clone', '-q', '--no-tags', root, work]);
    execFileSync(
      'git',
      ['branch', '-f', 'release-source', execFileSync('git', ['rev-parse', 'HEAD'], { cwd: root, encoding: 'utf8' }).trim()],
      {
        cwd: work,
      },
    );
    const r = release({ dir: work, version: '1.0.0', main: 'release-source', publishAs: 'acme/expeditor' });
    const shipped = join(base, 'shipped');
    mkdirSync(shipped);
    const tar = execFileSync('git', ['archive', '--format=tar', r.tag, '.github/workflows', 'examples/workflows'], {
      cwd: work,
      maxBuffer: 1 << 26,
    });
    execFileSync('tar', ['-x', '-C', shipped], { input: tar });

    const examples = zizmor(shipped, yml(shipped, 'examples/workflows'));
    expect(show(examples)).toEqual([]);
    const workflows = zizmor(shipped, yml(shipped, '.github/workflows'));
    expect(show(workflows.filter((f) => f.determinations.severity === 'High'))).toEqual([]);
    // Without the release's pins the same workflows are flagged: the pins are what passes.
    const before = zizmor(root, ['.github/workflows/deploy.yml']);
    expect(before.map((f) => f.ident)).toContain('unpinned-uses');
  });
});
