// Each committed bundle, run as the runner runs it (node24, inputs as INPUT_* variables), fails
// clearly on missing input before any network call.
import { describe, expect, it, beforeAll, afterAll } from 'vitest';
import { spawnSync } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { mkdtempSync, readFileSync, writeFileSync, symlinkSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '../..');
const firstMissing: Record<string, string> = {
  'assume-env': 'role-arn',
  'build-image': 'repository',
  'deploy-ecs': 'image',
  'deploy-eks': 'image',
  'bluegreen-switch': 'platform',
  'deployment-record': 'mode',
};

let server: Server;
let requests = 0;
let endpoint = '';
beforeAll(async () => {
  // Anything the bundles might call (AWS, Kubernetes, OIDC) is pointed here and counted.
  server = createServer((req, res) => {
    requests++;
    res.writeHead(500).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const address = server.address();
  endpoint = typeof address === 'object' && address ? `http://127.0.0.1:${address.port}` : '';
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe.each(Object.entries(firstMissing))('the %s bundle', (action, input) => {
  it(`with no inputs exits non-zero naming '${input}' first, before any network call`, () => {
    const dir = mkdtempSync(join(tmpdir(), 'bundle-'));
    const summary = join(dir, 'summary.md');
    writeFileSync(summary, '');
    const result = spawnSync(process.execPath, [join(root, 'actions', action, 'dist', 'index.js')], {
      cwd: dir,
      encoding: 'utf8',
      env: {
        PATH: process.env.PATH,
        GITHUB_STEP_SUMMARY: summary,
        AWS_ENDPOINT_URL: endpoint,
        ACTIONS_ID_TOKEN_REQUEST_URL: `${endpoint}/token`,
        ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'request-token',
        KUBECONFIG: join(dir, 'none'),
      },
    });
    expect(result.status).toBe(1);
    const errors = result.stdout.split('\n').filter((l) => l.startsWith('::error'));
    expect(errors[0]).toMatch(new RegExp(`^::error title=input '${input}'::input '${input}': is required`));
    expect(result.stdout).toContain(`::error::${action}: `);
    expect(requests).toBe(0);
  });
});

describe('check-dist', () => {
  it('fails when a source changed and the bundle was not rebuilt', () => {
    const dir = mkdtempSync(join(tmpdir(), 'check-dist-'));
    const clone = spawnSync('git', ['clone', '-q', '--local', root, dir], { encoding: 'utf8' });
    expect(clone.status, clone.stderr).toBe(0);
    symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'));
    // Bundles embed module ids derived from paths, and this clone reaches node_modules through a
    // symlink: rebuild and commit here first, so the clone starts from a current dist.
    const git = (...args: string[]) => spawnSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', ...args], { cwd: dir, encoding: 'utf8' });
    // One action is enough to prove the mechanism; the suite's own check-dist step covers all.
    expect(spawnSync(process.execPath, ['scripts/build.mjs', 'deploy-ecs'], { cwd: dir }).status).toBe(0);
    // Actions that load clients lazily have chunk files beside index.js: add those too.
    git('add', '-A', 'actions');
    git('commit', '-qm', 'rebuilt here');
    const clean = spawnSync('bash', ['scripts/check-dist.sh', 'deploy-ecs'], { cwd: dir, encoding: 'utf8' });
    expect(clean.status, clean.stderr).toBe(0);

    const main = join(dir, 'actions', 'deploy-ecs', 'src', 'main.ts');
    expect(readFileSync(main, 'utf8')).toContain('runAction');
    appendFileSync(main, "\nconsole.log('a change the bundle does not have yet');\n");
    const stale = spawnSync('bash', ['scripts/check-dist.sh', 'deploy-ecs'], { cwd: dir, encoding: 'utf8' });
    expect(stale.status).toBe(1);
    expect(stale.stderr).toContain('a rebuild changes these committed bundles');
    expect(stale.stderr).toContain('actions/deploy-ecs/dist/index.js');
  });
});
