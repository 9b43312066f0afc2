// Self-test of the bed's workflow tools: act (host mode, node24, checkout mapped to a no-op),
// actionlint and zizmor, each run for real on small workflows written here.
import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { actInvocation, actionlintPath, zizmorPath } from './tools.ts';
import { useBed } from './vitest.ts';

const bed = useBed([]);

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

function run(command: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<Result> {
  return new Promise((resolve) => {
    execFile(command, args, { ...options, maxBuffer: 16 << 20 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

function write(root: string, files: Record<string, string>): void {
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
}

const helloAction = `name: hello
description: says hello from the node that runs it
inputs:
  who: { description: whom to greet, required: true }
outputs:
  greeting: { description: the greeting }
runs:
  using: node24
  main: index.js
`;

const helloScript = `const fs = require('node:fs');
const greeting = 'hello ' + process.env.INPUT_WHO + ' from node ' + process.versions.node;
console.log(greeting);
fs.appendFileSync(process.env.GITHUB_OUTPUT, 'greeting=' + greeting + '\\n');
`;

const goodWorkflow = `name: ci
on: push
permissions: {}
jobs:
  hello:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
        with: { persist-credentials: false }
      - uses: actions/checkout@v4
        with: { repository: other-org/tools, path: tools, persist-credentials: false }
      - id: hi
        uses: ./.github/actions/hello
        with: { who: bed }
      - run: echo "said $GREETING"
        env: { GREETING: "\${{ steps.hi.outputs.greeting }}" }
`;

let repo = '';

/** Makes `dir` a git repository with one commit: act reads the github context's sha and ref there. */
async function commitAll(dir: string): Promise<void> {
  const env = {
    ...process.env,
    GIT_AUTHOR_NAME: 'bed',
    GIT_AUTHOR_EMAIL: 'bed@invalid',
    GIT_COMMITTER_NAME: 'bed',
    GIT_COMMITTER_EMAIL: 'bed@invalid',
  };
  for (const args of [
    ['init', '-q', '-b', 'main'],
    ['add', '-A'],
    ['commit', '-q', '-m', 'init'],
  ]) {
    const result = await run('git', args, { cwd: dir, env });
    if (result.code !== 0) throw new Error(`git ${args.join(' ')}: ${result.stderr}`);
  }
}

beforeAll(async () => {
  repo = join(bed.dir, 'repo');
  write(repo, {
    '.github/actions/hello/action.yml': helloAction,
    '.github/actions/hello/index.js': helloScript,
    '.github/workflows/ci.yml': goodWorkflow,
  });
  await commitAll(repo);
});

describe('workflow tools', () => {
  test('act runs a workflow in host mode: node24 action on Node 24, checkout mapped to the no-op', async () => {
    expect(process.versions.node.startsWith('24.')).toBe(true);
    const act = actInvocation({ cacheDir: join(bed.dir, 'act') });
    const result = await run(act.command, [...act.args, 'push'], { cwd: repo, env: act.env });
    const output = result.stdout + result.stderr;
    expect(result.code, output).toBe(0);
    // The checkout of another repository ran the bed's no-op, not a clone.
    expect(output).toMatch(/LocalRepositoryCache matched \S+actions\/checkout with ref v4/);
    expect(output).toContain("bed checkout no-op (repository 'other-org/tools'");
    // The own-repository checkout put the tree in the workspace: the local action was found.
    expect(output).toContain(`hello bed from node ${process.versions.node}`);
    expect(output).toContain(`said hello bed from node ${process.versions.node}`);
    expect(output).toContain('Job succeeded');
  });

  test('act fails the job when a node24 action fails', async () => {
    const failing = join(bed.dir, 'failing');
    write(failing, {
      '.github/actions/boom/action.yml': 'name: boom\ndescription: fails\nruns:\n  using: node24\n  main: index.js\n',
      '.github/actions/boom/index.js': "console.log('::error::boom from the bed'); process.exit(3);\n",
      '.github/workflows/ci.yml':
        'on: push\njobs:\n  boom:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n      - uses: ./.github/actions/boom\n',
    });
    await commitAll(failing);
    const act = actInvocation({ cacheDir: join(bed.dir, 'act-failing') });
    const result = await run(act.command, [...act.args, 'push'], { cwd: failing, env: act.env });
    const output = result.stdout + result.stderr;
    expect(result.code, output).not.toBe(0);
    expect(output).toContain('boom from the bed');
    expect(output).toContain('Job failed');
  });

  test('actionlint passes a good workflow and flags a broken one', async () => {
    const good = await run(actionlintPath(), ['-no-color', '.github/workflows/ci.yml'], { cwd: repo });
    expect(good.code, good.stdout + good.stderr).toBe(0);

    const broken = join(repo, 'broken.yml');
    writeFileSync(
      broken,
      'on: push\njobs:\n  test:\n    runs-on: ubuntu-latest\n    needs: no-such-job\n    steps:\n      - run: echo "${{ github.no_such_field }}"\n',
    );
    const result = await run(actionlintPath(), ['-no-color', '-format', '{{json .}}', broken], { cwd: repo });
    expect(result.code).toBe(1);
    const errors = JSON.parse(result.stdout) as { kind: string; message: string }[];
    const kinds = errors.map((e) => e.kind);
    expect(kinds).toContain('job-needs');
    expect(kinds).toContain('expression');
  });

  test('zizmor audits workflows offline: finds a template injection, passes the good workflow', async () => {
    const risky = join(bed.dir, 'risky', '.github', 'workflows', 'issues.yml');
    write(dirname(risky), {
      'issues.yml':
        'on: issues\npermissions: {}\njobs:\n  echo:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo "${{ github.event.issue.title }}"\n',
    });
    const flagged = await run(zizmorPath(), ['--offline', '--no-progress', '--format', 'json', risky]);
    const findings = JSON.parse(flagged.stdout) as { ident: string }[];
    expect(
      findings.map((f) => f.ident),
      flagged.stderr,
    ).toContain('template-injection');
    expect(flagged.code).not.toBe(0);

    const clean = await run(zizmorPath(), ['--offline', '--no-progress', '--format', 'json', join(repo, '.github/workflows/ci.yml')]);
    const cleanFindings = JSON.parse(clean.stdout) as { ident: string }[];
    expect(cleanFindings.map((f) => f.ident)).not.toContain('template-injection');
  });
});
