// Bed part 'docker': a Docker engine of this bed's own. Debian's dockerd (20.10) runs as root with
// vfs storage, no bridge and no iptables rules (nothing on the machine's network changes), on a
// unix socket and data, exec and pid paths under the bed's directory, so test files running in
// parallel each have their own engine and image store. The docker CLI gets a config directory of
// this bed too (logins, buildx state), holding the buildx plugin install/docker.sh built.
// Registries on 127.0.0.0/8 are plain HTTP to the engine (its default, and the bed registry's
// port is named as insecure as well). The engine has no bridge network: RUN steps need the host's
// network (build-image's network input, `docker build --network host`).
// remoteBuilder() adds a buildkitd of the bed's own (OCI worker, native snapshotter, host network,
// the bed registry plain HTTP) as a `remote` buildx builder: what can export a registry cache.
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { findOnPath } from '../../../actions/build-image/src/exec.ts';
import { bedBinary } from '../cache.ts';
import { type ServerProcess, startServer } from '../process.ts';
import type { BedContext, DockerPart, PartHandle } from '../types.ts';

const install = 'Run: bash test/bed/install.sh docker';

/** dockerd lives in /usr/sbin, which a non-login PATH may lack. */
function onPath(name: string): string {
  const path = findOnPath(name, { PATH: [process.env.PATH, '/usr/sbin', '/usr/bin', '/sbin'].filter(Boolean).join(delimiter) });
  if (!path) throw new Error(`bed part 'docker' is not installed: '${name}' is not on PATH. ${install}`);
  return path;
}

function run(command: string, args: readonly string[], env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(command, [...args], { env, maxBuffer: 16 << 20 }, (error, stdout, stderr) =>
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr }),
    );
  });
}

/**
 * The engine's storage driver and buildkitd's snapshotter: vfs and native (every layer a full
 * copy; works anywhere) unless EXPEDITOR_BED_DOCKER_STORAGE=overlay2 (what GitHub's hosted runners
 * use; needs overlay mounts, which this machine allows as root), for figures as a runner sees them.
 */
export function dockerStorage(env: NodeJS.ProcessEnv = process.env): { driver: 'vfs' | 'overlay2'; snapshotter: 'native' | 'overlayfs' } {
  const driver = env.EXPEDITOR_BED_DOCKER_STORAGE || 'vfs';
  if (driver !== 'vfs' && driver !== 'overlay2')
    throw new Error(`EXPEDITOR_BED_DOCKER_STORAGE must be vfs or overlay2, got ${JSON.stringify(driver)}`);
  return { driver, snapshotter: driver === 'vfs' ? 'native' : 'overlayfs' };
}

export async function start(ctx: BedContext): Promise<PartHandle<DockerPart>> {
  const storage = dockerStorage();
  const dockerd = onPath('dockerd');
  const docker = onPath('docker');
  const plugin = bedBinary('docker', 'docker-buildx');

  // Unix socket paths are limited to 108 bytes: the bed's directory is short (/tmp/expeditor-bed-…).
  const root = join(ctx.dir, 'docker');
  const config = join(root, 'config');
  mkdirSync(join(config, 'cli-plugins'), { recursive: true });
  symlinkSync(plugin, join(config, 'cli-plugins', 'docker-buildx'));
  writeFileSync(join(config, 'config.json'), '{"auths":{}}\n');
  const socket = join(root, 'docker.sock');
  const host = `unix://${socket}`;
  const env: Record<string, string> = { DOCKER_HOST: host, DOCKER_CONFIG: config, BUILDX_CONFIG: join(config, 'buildx') };
  const childEnv = { ...process.env, ...env };

  const registry = ctx.started.registry;
  const server = await startServer({
    name: 'dockerd',
    command: dockerd,
    args: [
      `--storage-driver=${storage.driver}`,
      '--iptables=false',
      '--ip6tables=false',
      '--bridge=none',
      '--host',
      host,
      '--data-root',
      join(root, 'data'),
      '--exec-root',
      join(root, 'exec'),
      '--pidfile',
      join(root, 'dockerd.pid'),
      // A config file of its own, so /etc/docker/daemon.json of the machine is never read.
      '--config-file',
      writeDaemonConfig(root),
      ...(registry ? ['--insecure-registry', registry.host] : []),
    ],
    env: { ...process.env, DOCKER_CONFIG: config },
    logDir: ctx.logDir,
    ready: async () => (await run(docker, ['version', '--format', '{{.Server.Version}}'], childEnv)).code === 0,
    readyTimeoutMs: 60_000,
  });

  try {
    const version = (await run(docker, ['version', '--format', '{{.Server.Version}}'], childEnv)).stdout.trim();
    const buildx = await run(docker, ['buildx', 'version'], childEnv);
    if (buildx.code !== 0) throw new Error(`docker buildx version failed: ${buildx.stderr.trim()}. ${install}`);
    let remote: { server: ServerProcess; env: Record<string, string> } | undefined;
    const startRemote = async (): Promise<Record<string, string>> => {
      const dir = join(root, 'buildkit');
      mkdirSync(dir, { recursive: true });
      const socket = join(dir, 'buildkitd.sock');
      const toml = join(dir, 'buildkitd.toml');
      const hosts = registry ? [registry.host] : [];
      writeFileSync(toml, hosts.map((h) => `[registry."${h}"]\n  http = true\n  insecure = true\n`).join('\n'));
      const buildkitd = await startServer({
        name: 'buildkitd',
        command: bedBinary('docker', 'buildkitd'),
        args: [
          '--root',
          join(dir, 'root'),
          '--addr',
          `unix://${socket}`,
          '--config',
          toml,
          '--containerd-worker=false',
          '--oci-worker=true',
          '--oci-worker-snapshotter',
          storage.snapshotter,
          '--oci-worker-net',
          'host',
          // Its default is under /run/buildkit, which every bed's buildkitd would share.
          '--otel-socket-path',
          join(dir, 'otel.sock'),
        ],
        logDir: ctx.logDir,
        ready: async () => existsSync(socket),
      });
      const name = 'bed-remote';
      const created = await run(docker, ['buildx', 'create', '--name', name, '--driver', 'remote', `unix://${socket}`], childEnv);
      const booted = created.code === 0 ? await run(docker, ['buildx', 'inspect', '--bootstrap', name], childEnv) : created;
      if (booted.code !== 0) {
        await buildkitd.stop();
        throw new Error(`the bed's remote buildx builder did not start: ${booted.stderr.trim()}\n${buildkitd.tail()}`);
      }
      remote = { server: buildkitd, env: { ...env, BUILDX_BUILDER: name } };
      return remote.env;
    };
    const part: DockerPart = {
      host,
      env,
      version,
      buildx: buildx.stdout.trim().split(/\s+/)[1] ?? 'unknown',
      docker: (args) => run(docker, args, childEnv),
      async reset() {
        // A fresh runner: no images, no build cache (the engine's BuildKit keeps its own, and so does buildkitd).
        await run(docker, ['buildx', 'prune', '--all', '--force'], childEnv);
        if (remote) await run(docker, ['buildx', 'prune', '--all', '--force'], { ...childEnv, ...remote.env });
        await run(docker, ['system', 'prune', '--all', '--force'], childEnv);
      },
      remoteBuilder: () => (remote ? Promise.resolve(remote.env) : startRemote()),
    };
    const stop = async (): Promise<void> => {
      await remote?.server.stop();
      await server.stop();
    };
    return { part, stop };
  } catch (error) {
    await server.stop();
    throw error;
  }
}

function writeDaemonConfig(root: string): string {
  const file = join(root, 'daemon.json');
  // No log rotation surprises and no proxy from the machine's environment in pulls.
  writeFileSync(file, JSON.stringify({ 'log-level': 'warn', features: { buildkit: true } }, null, 2));
  return file;
}
