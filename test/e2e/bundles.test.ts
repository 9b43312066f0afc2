// Each committed bundle, run as the runner runs it (node24, inputs as INPUT_* variables), fails
// clearly on missing input before any network call.
import { describe, expect, it, beforeAll, afterAll } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, symlinkSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { countingServer, root, runBundle, type CountingServer } from './bundle-run.ts';

const firstMissing: Record<string, string> = {
  'assume-env': 'role-arn',
  'build-image': 'repository',
  'deploy-ecs': 'image',
  'deploy-eks': 'image',
  'bluegreen-switch': 'platform',
  'deployment-record': 'mode',
};

let server: CountingServer;
beforeAll(async () => {
  // Anything the bundles might call (AWS, Kubernetes, OIDC) is pointed here and counted.
  server = await countingServer();
});
afterAll(() => server.close());

describe.each(Object.entries(firstMissing))('the %s bundle', (action, input) => {
  it(`with no inputs exits non-zero naming '${input}' first, before any network call`, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bundle-'));
    const env = {
      AWS_ENDPOINT_URL: server.endpoint,
      ACTIONS_ID_TOKEN_REQUEST_URL: `${server.endpoint}/token`,
      ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'request-token',
      KUBECONFIG: join(dir, 'none'),
    };
    const result = await runBundle(action, {}, env, { workspace: dir });
    expect(result.status).toBe(1);
    const errors = result.stdout.split('\n').filter((l) => l.startsWith('::error'));
    expect(errors[0]).toMatch(new RegExp(`^::error title=input '${input}'::input '${input}': is required`));
    expect(result.stdout).toContain(`::error::${action}: `);
    expect(server.requests()).toBe(0);
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
    const git = (...args: string[]) =>
      spawnSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', ...args], { cwd: dir, encoding: 'utf8' });
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
