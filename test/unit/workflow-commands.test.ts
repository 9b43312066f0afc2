import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as core from '@actions/core';
import * as commands from '../../packages/shared/src/workflow-commands.ts';
import { actionsLog } from '../../packages/shared/src/actions-log.ts';
import { parseFileCommands } from '../e2e/bundle-run.ts';

/** What fn wrote to stdout, as separate writes. */
function stdoutOf(fn: () => void): string[] {
  const writes: string[] = [];
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    writes.push(String(chunk));
    return true;
  });
  try {
    fn();
  } finally {
    spy.mockRestore();
  }
  return writes;
}

const awkward = 'a%b\r\nc::d,e: 100%25 %0A';

describe('workflow commands without @actions/core', () => {
  let dir: string;
  const saved = { ...process.env };
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'workflow-commands-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
    for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
    Object.assign(process.env, saved);
    process.exitCode = undefined;
  });

  it('escapes %, CR and LF in data, and : and , too in properties', () => {
    expect(commands.escapeData(awkward)).toBe('a%25b%0D%0Ac::d,e: 100%2525 %250A');
    expect(commands.escapeProperty(awkward)).toBe('a%25b%0D%0Ac%3A%3Ad%2Ce%3A 100%2525 %250A');
    expect(stdoutOf(() => commands.warning(awkward, { title: "input 'a:b,c'", file: 'x%y.yml', startLine: 3, startColumn: 2 }))).toEqual([
      "::warning title=input 'a%3Ab%2Cc',file=x%25y.yml,line=3,col=2::a%25b%0D%0Ac::d,e: 100%2525 %250A\n",
    ]);
  });

  it('writes each log command exactly as @actions/core does', () => {
    const where = {
      title: 'config: deploy.cluster',
      file: '.github/expeditor.yml',
      startLine: 1,
      endLine: 2,
      startColumn: 3,
      endColumn: 4,
    };
    const cases: [string, () => void, () => void][] = [
      ['info', () => commands.info(awkward), () => core.info(awkward)],
      ['debug', () => commands.debug(awkward), () => core.debug(awkward)],
      ['warning', () => commands.warning(awkward), () => core.warning(awkward)],
      ['warning at', () => commands.warning(awkward, where), () => core.warning(awkward, where)],
      ['error at', () => commands.error(awkward, { title: awkward }), () => core.error(awkward, { title: awkward })],
      ['group', () => commands.startGroup(awkward), () => core.startGroup(awkward)],
      ['endgroup', () => commands.endGroup(), () => core.endGroup()],
      ['mask', () => commands.setSecret('s3cr%t\nline2'), () => core.setSecret('s3cr%t\nline2')],
      ['failed', () => commands.setFailed(awkward), () => core.setFailed(awkward)],
    ];
    for (const [name, ours, theirs] of cases) {
      expect(stdoutOf(ours), name).toEqual(stdoutOf(theirs));
    }
  });

  it('masks through one add-mask command, a multi-line secret escaped as one value, an empty one not at all', () => {
    expect(stdoutOf(() => actionsLog.mask('line1\nline2'))).toEqual(['::add-mask::line1%0Aline2\n']);
    expect(stdoutOf(() => actionsLog.mask(''))).toEqual([]);
  });

  it('annotates the input at fault and fails the step with exit code 1', () => {
    expect(stdoutOf(() => actionsLog.error('is required', { input: 'role-arn' }))).toEqual([
      "::error title=input 'role-arn'::is required\n",
    ]);
    expect(stdoutOf(() => commands.setFailed('assume-env: bad'))).toEqual(['::error::assume-env: bad\n']);
    expect(process.exitCode).toBe(1);
  });

  it('appends outputs and variables as delimited blocks that read back, as @actions/core writes them', () => {
    const ours = join(dir, 'ours');
    const theirs = join(dir, 'theirs');
    const env = join(dir, 'env');
    writeFileSync(ours, '');
    writeFileSync(theirs, '');
    writeFileSync(env, '');
    const values = { plain: 'v', multi: 'line1\nline2\r\nline3', empty: '', awkward, json: '{"a":[1]}' };
    process.env.GITHUB_OUTPUT = ours;
    for (const [name, value] of Object.entries(values)) commands.setOutput(name, value);
    process.env.GITHUB_OUTPUT = theirs;
    for (const [name, value] of Object.entries(values)) core.setOutput(name, value);
    const text = readFileSync(ours, 'utf8');
    expect(parseFileCommands(text)).toEqual(parseFileCommands(readFileSync(theirs, 'utf8')));
    expect(parseFileCommands(text)).toEqual(values);
    // One fresh random delimiter per value.
    const delimiters = [...text.matchAll(/^\w+<<(.*)$/gm)].map((m) => m[1]);
    expect(delimiters).toHaveLength(5);
    expect(new Set(delimiters).size).toBe(5);
    for (const d of delimiters) expect(d).toMatch(/^ghadelimiter_[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);

    process.env.GITHUB_ENV = env;
    expect(stdoutOf(() => commands.exportVariable('AWS_REGION', 'eu-west-1'))).toEqual([]);
    expect(process.env.AWS_REGION).toBe('eu-west-1');
    expect(parseFileCommands(readFileSync(env, 'utf8'))).toEqual({ AWS_REGION: 'eu-west-1' });
  });

  it('refuses a name or value holding the delimiter, and a GITHUB_OUTPUT file that is missing', () => {
    expect(commands.keyValueMessage('n', 'v', 'DELIM')).toBe('n<<DELIM\nv\nDELIM');
    expect(() => commands.keyValueMessage('n', 'x\nDELIM\ny', 'DELIM')).toThrow(/value should not contain the delimiter/);
    expect(() => commands.keyValueMessage('nDELIM', 'v', 'DELIM')).toThrow(/name should not contain the delimiter/);
    process.env.GITHUB_OUTPUT = join(dir, 'absent');
    expect(() => commands.setOutput('a', 'b')).toThrow(`Missing file at path: ${join(dir, 'absent')}`);
  });

  it('without GITHUB_OUTPUT or GITHUB_ENV, warns instead of printing the value in a set-output or set-env command', () => {
    delete process.env.GITHUB_OUTPUT;
    delete process.env.GITHUB_ENV;
    const secret = 'wJalrXUtnFEMI/K7MDENG';
    const printed = stdoutOf(() => {
      commands.setOutput('secret-access-key', secret);
      commands.exportVariable('AWS_SECRET_ACCESS_KEY', secret);
    });
    expect(printed).toEqual([
      "::warning::output 'secret-access-key' not set: GITHUB_OUTPUT is not set (not on an Actions runner?)\n",
      "::warning::variable 'AWS_SECRET_ACCESS_KEY' not exported to later steps: GITHUB_ENV is not set (not on an Actions runner?)\n",
    ]);
    expect(printed.join('')).not.toContain(secret);
    // This step's own process still sees the variable.
    expect(process.env.AWS_SECRET_ACCESS_KEY).toBe(secret);
  });
});
