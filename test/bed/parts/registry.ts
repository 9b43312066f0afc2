// Bed part 'registry': Debian's distribution registry 2.8 on a free port, storage in the bed's
// directory, plus the base image the install step built (pushed here, so nothing is ever pulled
// from outside), and the environment that points buildah/skopeo at files of this bed only, so
// test files running in parallel never share container storage, auth or registry config.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { accessSync, constants, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cacheDir } from '../cache.ts';
import { httpAnswers, startServer, type ServerProcess } from '../process.ts';
import { freePort } from '../ports.ts';
import type { AuthRegistry, BedContext, PartHandle, RegistryPart } from '../types.ts';

const install = 'Run: bash test/bed/install.sh registry';
const baseArchive = join(cacheDir, 'registry', 'base.oci.tar');
const htpasswdFile = fileURLToPath(new URL('../registry/htpasswd', import.meta.url));
/** The only account in test/bed/registry/htpasswd (bcrypt of this password). */
const authUser = { username: 'bed', password: 'expeditor-bed' };

/** Media types a client must accept, or registry 2.8 answers HEAD without a digest. */
const manifestTypes = [
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
].join(', ');

function onPath(name: string): string {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    const path = join(dir, name);
    try {
      accessSync(path, constants.X_OK);
      return path;
    } catch {
      /* next */
    }
  }
  throw new Error(`bed part 'registry' is not installed: '${name}' is not on PATH. ${install}`);
}

function run(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { env, maxBuffer: 16 << 20 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${command} ${args.join(' ')} failed: ${stderr.trim() || error.message}`));
      else resolve(stdout);
    });
  });
}

/** The registry reads REGISTRY_* variables as config overrides (REGISTRY_AUTH_FILE would be one). */
function registryEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('REGISTRY_')));
}

async function startRegistry(
  name: string,
  root: string,
  logDir: string,
  auth: string | undefined,
): Promise<{ server: ServerProcess; host: string; url: string }> {
  const port = await freePort();
  const host = `127.0.0.1:${port}`;
  const url = `http://${host}`;
  mkdirSync(join(root, 'data'), { recursive: true });
  // JSON is YAML, so the config needs no YAML writer.
  const config = {
    version: '0.1',
    log: { level: 'info', fields: { service: name } },
    storage: {
      filesystem: { rootdirectory: join(root, 'data') },
      delete: { enabled: true },
      // Upload purging walks the store on a timer; nothing here lives long enough to need it.
      maintenance: { uploadpurging: { enabled: false } },
    },
    http: { addr: host, secret: randomBytes(16).toString('hex') },
    ...(auth ? { auth: { htpasswd: { realm: 'expeditor-bed', path: auth } } } : {}),
  };
  const configFile = join(root, 'config.yml');
  writeFileSync(configFile, JSON.stringify(config, null, 2));
  const server = await startServer({
    name,
    command: onPath('docker-registry'),
    args: ['serve', configFile],
    env: registryEnv(),
    logDir,
    ready: () => httpAnswers(`${url}/v2/`),
  });
  return { server, host, url };
}

function registriesConf(hosts: string[]): string {
  // No short names: every reference in the bed names its registry.
  const lines = ['unqualified-search-registries = []', ''];
  for (const host of hosts) lines.push('[[registry]]', `location = "${host}"`, 'insecure = true', '');
  return lines.join('\n');
}

export async function start(ctx: BedContext): Promise<PartHandle<RegistryPart>> {
  if (!existsSync(baseArchive)) {
    throw new Error(`bed part 'registry' is not installed: ${baseArchive} is missing. ${install}`);
  }
  const skopeo = onPath('skopeo');
  onPath('buildah');

  const root = join(ctx.dir, 'registry');
  const conf = join(root, 'containers');
  const home = join(conf, 'home');
  const tmp = join(conf, 'tmp');
  mkdirSync(join(home, '.config', 'containers'), { recursive: true });
  mkdirSync(tmp, { recursive: true });

  const storageConf = join(conf, 'storage.conf');
  writeFileSync(storageConf, `[storage]\ndriver = "vfs"\ngraphroot = "${join(conf, 'storage')}"\nrunroot = "${join(conf, 'run')}"\n`);
  const authFile = join(conf, 'auth.json');
  // buildah refuses a REGISTRY_AUTH_FILE that does not exist.
  writeFileSync(authFile, '{"auths":{}}\n');
  writeFileSync(join(home, '.config', 'containers', 'policy.json'), '{"default":[{"type":"insecureAcceptAnything"}]}\n');
  const registriesFile = join(conf, 'registries.conf');
  // skopeo 1.9 ignores CONTAINERS_REGISTRIES_CONF but reads $HOME/.config/containers/, so
  // HOME points there too and both tools see the same insecure-registry list.
  const writeRegistries = (hosts: string[]): void => {
    const text = registriesConf(hosts);
    writeFileSync(registriesFile, text);
    writeFileSync(join(home, '.config', 'containers', 'registries.conf'), text);
  };

  const containerEnv: Record<string, string> = {
    CONTAINERS_STORAGE_CONF: storageConf,
    CONTAINERS_REGISTRIES_CONF: registriesFile,
    REGISTRY_AUTH_FILE: authFile,
    // No user namespaces or runc here: RUN steps run in a chroot.
    BUILDAH_ISOLATION: 'chroot',
    STORAGE_DRIVER: 'vfs',
    HOME: home,
    // Layer tarballs and archive extraction go here, not to the machine's /var/tmp.
    TMPDIR: tmp,
  };

  const main = await startRegistry('registry', join(root, 'main'), ctx.logDir, undefined);
  const hosts = [main.host];
  writeRegistries(hosts);
  const extra: ServerProcess[] = [];
  const stop = async (): Promise<void> => {
    for (const server of extra.splice(0)) await server.stop();
    await main.server.stop();
  };

  try {
    const env = { ...process.env, ...containerEnv };
    const digestFile = join(conf, 'base.digest');
    const baseImage = `${main.host}/bed/base:1`;
    await run(
      skopeo,
      ['copy', '--quiet', '--dest-tls-verify=false', '--digestfile', digestFile, `oci-archive:${baseArchive}`, `docker://${baseImage}`],
      env,
    );
    const baseDigest = readFileSync(digestFile, 'utf8').trim();

    let authCount = 0;
    const part: RegistryPart = {
      host: main.host,
      url: main.url,
      baseImage,
      baseDigest,
      containerEnv,
      async digest(repository, tag) {
        const response = await fetch(`${main.url}/v2/${repository}/manifests/${tag}`, {
          method: 'HEAD',
          headers: { Accept: manifestTypes },
        });
        if (response.status === 404) return undefined;
        const digest = response.headers.get('docker-content-digest');
        if (!response.ok || !digest) {
          throw new Error(`HEAD ${repository}:${tag} on the bed registry answered ${response.status} without a digest`);
        }
        return digest;
      },
      async startAuthenticated(account?: { username: string; password: string; bcrypt: string }): Promise<AuthRegistry> {
        authCount += 1;
        const name = `registry-auth-${authCount}`;
        let passwords = htpasswdFile;
        if (account) {
          passwords = join(root, `${name}.htpasswd`);
          mkdirSync(root, { recursive: true });
          writeFileSync(passwords, `${account.username}:${account.bcrypt}\n`);
        }
        const started = await startRegistry(name, join(root, name), ctx.logDir, passwords);
        extra.push(started.server);
        hosts.push(started.host);
        writeRegistries(hosts);
        return {
          host: started.host,
          url: started.url,
          ...(account ? { username: account.username, password: account.password } : authUser),
          stop: async () => {
            const index = extra.indexOf(started.server);
            if (index >= 0) extra.splice(index, 1);
            await started.server.stop();
          },
        };
      },
    };
    return { part, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
