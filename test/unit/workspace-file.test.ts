// The one rule for files users name: inside the workspace with links resolved, a regular file,
// read with a size cap; errors name the input or key and never quote the file's content. And the
// environment file read through it: absent is "no file", unusable is an error (the gate fails
// closed), environment names are own keys only.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { configExists, environmentOf, loadConfig } from '@expeditor/shared/config';
import { ExpeditorError } from '@expeditor/shared/errors';
import { KiB, readUserFile, resolveUserPath } from '@expeditor/shared/workspace-file';
import { thrownError } from './thrown.ts';

let workspace: string;
let outside: string;
beforeEach(() => {
  workspace = mkdtempSync(join(tmpdir(), 'ws-'));
  outside = mkdtempSync(join(tmpdir(), 'outside-'));
  writeFileSync(join(outside, 'secret.txt'), 'AWS_SECRET_ACCESS_KEY=do-not-print-me\n');
  mkdirSync(join(workspace, '.github'));
});
afterEach(() => {
  rmSync(workspace, { recursive: true, force: true });
  rmSync(outside, { recursive: true, force: true });
});

const rule = (over: Partial<Parameters<typeof readUserFile>[1]> = {}) => ({
  workspace,
  origin: { input: 'task-definition' },
  maxBytes: 64 * KiB,
  ...over,
});

describe('readUserFile', () => {
  it('reads a file of the workspace, relative or absolute, and drops a UTF-8 BOM', () => {
    writeFileSync(join(workspace, 'td.json'), '\ufeff{"family":"web"}');
    expect(readUserFile('td.json', rule())).toBe('{"family":"web"}');
    expect(readUserFile(join(workspace, 'td.json'), rule())).toBe('{"family":"web"}');
    expect(readUserFile('deploy/../td.json', rule())).toBe('{"family":"web"}');
  });

  it('reads under another allowed root (RUNNER_TEMP), and only there', () => {
    writeFileSync(join(outside, 'rendered.json'), '{}');
    expect(readUserFile(join(outside, 'rendered.json'), rule({ alsoUnder: [outside] }))).toBe('{}');
    expect(() => readUserFile(join(outside, 'rendered.json'), rule())).toThrow(/is outside the workspace/);
  });

  it.each<[string, () => string, RegExp]>([
    ['a path with ..', () => '../x/secret.txt', /is outside the workspace/],
    ['an absolute path elsewhere', () => '/etc/passwd', /is outside the workspace/],
    [
      'a link out of the workspace',
      () => link('out.json', join(outside, 'secret.txt')),
      /leads outside the workspace through a symbolic link/,
    ],
    ['a link to /dev/zero', () => link('zero.json', '/dev/zero'), /leads outside the workspace/],
    ['a link to /proc/self/environ', () => link('env.yml', '/proc/self/environ'), /leads outside the workspace/],
    ['a link to nothing', () => link('dangling.json', join(workspace, 'nope.json')), /symbolic link to a file that does not exist/],
    ['a loop of links', () => loop(), /loop of symbolic links/],
    ['a directory', () => dir('x.yaml'), /is a directory, not a file/],
    ['a named pipe', () => fifo('pipe.json'), /is not a regular file/],
    ['a missing file', () => 'missing.json', /does not exist in the workspace/],
    ['a file over the cap', () => big('big.json', 65 * KiB), /is larger than 64 KiB/],
  ])('refuses %s, naming the input and never the content', (_, make, message) => {
    const error = thrownError(() => readUserFile(make(), rule()));
    expect(error.message).toMatch(message);
    expect(error.message).toMatch(/^input 'task-definition': /);
    expect(error.input).toBe('task-definition');
    expect(error.message).not.toContain('do-not-print-me');
  });

  it('names the key when the path came from the environment file', () => {
    const error = thrownError(() =>
      readUserFile('../../../../etc/passwd', rule({ origin: { key: 'environments.prod.ecs.task-definition' } })),
    );
    expect(error.key).toBe('environments.prod.ecs.task-definition');
    expect(error.message).toMatch(/^environments\.prod\.ecs\.task-definition: /);
  });
});

describe('resolveUserPath', () => {
  it('says a plainly missing file does not exist, without refusing', () => {
    expect(resolveUserPath('.github/expeditor.yml', rule())).toEqual({ path: join(workspace, '.github/expeditor.yml'), exists: false });
  });
});

describe('the environment file through the rule', () => {
  const yaml = [
    'app: shop',
    'image: { repository: 123456789012.dkr.ecr.us-west-2.amazonaws.com/shop }',
    'environments:',
    '  prod:',
    '    aws: { account: "123456789012", region: us-west-2, role: "arn:aws:iam::123456789012:role/deploy" }',
    '',
  ].join('\n');

  it('is optional when absent, and an error when it is there but unusable (the gate fails closed)', () => {
    expect(configExists(workspace, '.github/expeditor.yml')).toBe(false);
    symlinkSync(join(workspace, 'nowhere.yml'), join(workspace, '.github/expeditor.yml'));
    expect(() => configExists(workspace, '.github/expeditor.yml')).toThrow(ExpeditorError);
  });

  it('refuses a link to a file outside, without echoing it', () => {
    symlinkSync(join(outside, 'secret.txt'), join(workspace, '.github/expeditor.yml'));
    const error = thrownError(() => loadConfig(workspace, '.github/expeditor.yml'));
    expect(error.input).toBe('config');
    expect(error.message).not.toContain('do-not-print-me');
  });

  it.each(['constructor', 'toString', '__proto__', 'hasOwnProperty'])('has no environment %s', (name) => {
    writeFileSync(join(workspace, '.github/expeditor.yml'), yaml);
    const config = loadConfig(workspace, '.github/expeditor.yml');
    expect(environmentOf(config, 'prod', '.github/expeditor.yml').aws.region).toBe('us-west-2');
    const error = thrownError(() => environmentOf(config, name, '.github/expeditor.yml'));
    expect(error.input).toBe('environment');
    expect(error.message).toMatch(/is not in \.github\/expeditor\.yml \(have: prod\)/);
  });
});

function link(name: string, target: string): string {
  symlinkSync(target, join(workspace, name));
  return name;
}
function loop(): string {
  symlinkSync(join(workspace, 'b.json'), join(workspace, 'a.json'));
  symlinkSync(join(workspace, 'a.json'), join(workspace, 'b.json'));
  return 'a.json';
}
function dir(name: string): string {
  mkdirSync(join(workspace, name));
  return name;
}
function fifo(name: string): string {
  execFileSync('mkfifo', [join(workspace, name)]);
  return name;
}
function big(name: string, bytes: number): string {
  writeFileSync(join(workspace, name), 'x'.repeat(bytes));
  return name;
}
