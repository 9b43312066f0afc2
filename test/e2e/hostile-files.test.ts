// Hostile files and values, through the committed bundles as the runner runs them: a link out of
// the workspace (to a secret, to /proc/self/environ, to /dev/zero), an environment-file key that
// climbs out, a directory named like a manifest, an alias bomb, prototype names as environments,
// a promotion gate whose environment file is a link to nothing, and a 600 h timeout. Each is
// refused naming the input or key, quoting no content, before any request, and without hanging.
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CountingServer, countingServer, jobWorkspace, noAmbientAws, runBundle } from './bundle-run.ts';

const secret = 'do-not-print-me-7f3a';
const image = `127.0.0.1:5000/shop/app@sha256:${'a'.repeat(64)}`;
const environmentFile = (extra = '') =>
  [
    'app: shop',
    'image: { repository: 123456789012.dkr.ecr.us-west-2.amazonaws.com/shop }',
    'environments:',
    '  prod:',
    '    aws: { account: "123456789012", region: us-west-2, role: "arn:aws:iam::123456789012:role/deploy" }',
    `    ecs: { cluster: prod, service: web${extra} }`,
    '',
  ].join('\n');

let server: CountingServer;
let outside: string;
beforeAll(async () => {
  server = await countingServer();
  outside = mkdtempSync(join(tmpdir(), 'outside-'));
  writeFileSync(join(outside, 'secret.json'), `{"token":"${secret}"}\n`);
});
afterAll(() => server.close());

interface Case {
  name: string;
  action: string;
  inputs: Record<string, string>;
  /** Lays out the workspace; returns it. */
  workspace: () => string;
  /** The annotation's title: the input or key at fault. */
  title: string;
  message: RegExp;
}

const cases: Case[] = [
  {
    name: 'an environment file linked to a secret outside the workspace',
    action: 'deploy-ecs',
    inputs: { image, environment: 'prod' },
    workspace: () => link(jobWorkspace(), '.github/expeditor.yml', join(outside, 'secret.json')),
    title: "input 'config'",
    message: /leads outside the workspace through a symbolic link/,
  },
  {
    name: 'an environment file linked to /proc/self/environ',
    action: 'deploy-eks',
    inputs: { image, environment: 'prod' },
    workspace: () => link(jobWorkspace(), '.github/expeditor.yml', '/proc/self/environ'),
    title: "input 'config'",
    message: /leads outside the workspace/,
  },
  {
    name: 'a task definition linked to /dev/zero',
    action: 'deploy-ecs',
    inputs: { image, cluster: 'prod', service: 'web', 'task-definition': 'td.json' },
    workspace: () => link(jobWorkspace(), 'td.json', '/dev/zero'),
    title: "input 'task-definition'",
    message: /leads outside the workspace/,
  },
  {
    name: "an environment file's task definition that climbs out",
    action: 'deploy-ecs',
    inputs: { image, environment: 'prod' },
    workspace: () => jobWorkspace(environmentFile(', task-definition: ../../../../etc/passwd')),
    title: 'environments.prod.ecs.task-definition',
    message: /is outside the workspace/,
  },
  {
    name: 'a manifest directory holding a directory named x.yaml',
    action: 'deploy-eks',
    inputs: { image, services: 'shop', cluster: 'prod', region: 'us-west-2', manifest: 'k8s' },
    workspace: () => {
      const dir = jobWorkspace();
      mkdirSync(join(dir, 'k8s', 'x.yaml'), { recursive: true });
      return dir;
    },
    title: "input 'manifest'",
    message: /k8s\/x\.yaml" is a directory, not a file/,
  },
  {
    name: 'a YAML alias bomb',
    action: 'deploy-ecs',
    inputs: { image, environment: 'prod' },
    workspace: () => jobWorkspace(aliasBomb()),
    title: "input 'config'",
    message: /too many YAML aliases/,
  },
  {
    name: "the environment 'constructor'",
    action: 'deploy-ecs',
    inputs: { image, environment: 'constructor' },
    workspace: () => jobWorkspace(environmentFile()),
    title: "input 'environment'",
    message: /environment "constructor" is not in \.github\/expeditor\.yml \(have: prod\)/,
  },
  {
    name: 'a promotion gate whose environment file links to nothing',
    action: 'deployment-record',
    inputs: { mode: 'start', environment: 'prod', image, token: 'ghs_test' },
    workspace: () => link(jobWorkspace(), '.github/expeditor.yml', '/nonexistent/expeditor.yml'),
    title: "input 'config'",
    message: /symbolic link to a file that does not exist/,
  },
  {
    name: 'a 600 h timeout',
    action: 'deploy-ecs',
    inputs: { image, cluster: 'prod', service: 'web', timeout: '600000h' },
    workspace: () => jobWorkspace(),
    title: "input 'timeout'",
    message: /is longer than any job can run/,
  },
];

describe('hostile files and values, through the bundles', () => {
  it.each(cases.map((c) => [c.name, c] as const))('%s: refused before any request, naming where', async (_, c) => {
    const workspace = c.workspace();
    const before = server.requests();
    const env = {
      ...noAmbientAws(workspace),
      AWS_ENDPOINT_URL: server.endpoint,
      AWS_REGION: 'us-west-2',
      GITHUB_API_URL: server.endpoint,
      KUBECONFIG: join(workspace, 'none'),
      SECRET_MARKER: secret,
    };
    const run = await runBundle(c.action, c.inputs, env, { workspace });
    expect(run.status, run.log).toBe(1);
    const errors = run.stdout.split('\n').filter((l) => l.startsWith('::error'));
    expect(
      errors.some((l) => l.includes(`title=${c.title}`) && c.message.test(l)),
      run.stdout,
    ).toBe(true);
    expect(run.log).not.toContain(secret);
    expect(run.log).not.toMatch(/\n\s+at .*\(.*\.js:\d+:\d+\)/); // no stack trace
    expect(server.requests() - before).toBe(0);
  });
});

function link(workspace: string, path: string, target: string): string {
  symlinkSync(target, join(workspace, path));
  return workspace;
}

/** Ten levels of aliases, each ten times the one before: 10^10 nodes if expanded. */
function aliasBomb(): string {
  const lines = ['a0: &a0 [x, x, x, x, x, x, x, x, x, x]'];
  for (let i = 1; i < 10; i++)
    lines.push(
      `a${i}: &a${i} [${Array(10)
        .fill(`*a${i - 1}`)
        .join(', ')}]`,
    );
  return `${lines.join('\n')}\n`;
}
