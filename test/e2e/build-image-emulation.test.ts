// platforms linux/amd64,linux/arm64 with a RUN step: the arm64 image's RUN runs an arm64 program,
// which needs emulation on an amd64 machine — a binfmt_misc handler for aarch64 ELF files pointing
// at qemu-user-static, registered with the F flag (the interpreter opened at registration, so it
// works inside the builder's chroot or container). Set up on Debian as root:
//   apt-get install qemu-user-static binfmt-support
//   mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc   (where it is not mounted)
//   update-binfmts --enable
// Skipped, saying why, where that handler is missing or Go (to make the two static programs) is.
// Both builders: buildah (bud --platform --manifest) and docker buildx on the bed's buildkitd.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { buildImage } from '../../actions/build-image/src/action.ts';
import { memoryLog } from '../../packages/shared/src/log.ts';
import { useBed } from '../bed/vitest.ts';
import { buildOptions, getJson, indexTypes, noEngineEnv, textInLayers } from './build-image-bed.ts';

const bed = useBed(['registry', 'docker']);

const handler = '/proc/sys/fs/binfmt_misc/qemu-aarch64';

/** Why arm64 programs cannot run here, or undefined when they can. */
function noEmulation(): string | undefined {
  if (process.arch !== 'x64') return `this machine is ${process.arch}, the test emulates arm64 on x64`;
  let text: string;
  try {
    text = readFileSync(handler, 'utf8');
  } catch {
    return `no binfmt_misc handler ${handler} (apt-get install qemu-user-static binfmt-support; mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc; update-binfmts --enable)`;
  }
  if (!/^enabled$/m.test(text)) return `${handler} is disabled (update-binfmts --enable qemu-aarch64)`;
  const flags = /^flags: (\S*)$/m.exec(text)?.[1] ?? '';
  if (!flags.includes('F'))
    return `${handler} lacks the F flag (flags: ${flags || 'none'}): its interpreter cannot be found inside a build's root`;
  if (spawnSync('go', ['version']).status !== 0)
    return 'go is not on PATH (it makes the static amd64 and arm64 programs the RUN step runs)';
  return undefined;
}
const skipReason = noEmulation();

const probe = `package main

import (
	"os"
	"runtime"
)

// Writes which architecture it was built for into the file named by its argument: that the file
// exists in the image proves the program ran during the build.
func main() {
	if err := os.WriteFile(os.Args[1], []byte("ran "+runtime.GOARCH+"\\n"), 0o644); err != nil {
		panic(err)
	}
}
`;

/** A context with a static probe program per architecture and a RUN step that runs it. */
function context(name: string): string {
  const dir = join(bed.dir, 'emulation', name);
  const src = join(bed.dir, 'emulation', 'probe-src');
  mkdirSync(src, { recursive: true });
  writeFileSync(join(src, 'go.mod'), 'module probe\n\ngo 1.19\n');
  writeFileSync(join(src, 'main.go'), probe);
  for (const arch of ['amd64', 'arm64']) {
    mkdirSync(join(dir, arch), { recursive: true });
    execFileSync('go', ['build', '-trimpath', '-o', join(dir, arch, 'probe'), '.'], {
      cwd: src,
      env: { ...process.env, CGO_ENABLED: '0', GOOS: 'linux', GOARCH: arch, GOFLAGS: '-mod=mod' },
    });
  }
  writeFileSync(join(dir, 'Dockerfile'), 'FROM scratch\nARG TARGETARCH\nCOPY ${TARGETARCH}/probe /probe\nRUN ["/probe", "/ran.txt"]\n');
  return dir;
}

const paths = [
  { name: 'buildah' as const, env: async () => noEngineEnv(bed.registry) },
  { name: 'buildx' as const, env: async () => ({ ...noEngineEnv(bed.registry), ...(await bed.docker.remoteBuilder()) }) },
];

describe.skipIf(skipReason !== undefined).each(paths)(
  `platforms with a RUN step for arm64 under emulation ($name)${skipReason ? ` — skipped: ${skipReason}` : ''}`,
  (path) => {
    test('each platform’s RUN ran its own architecture’s program', async () => {
      const repository = `emulation/${path.name}`;
      const opts = buildOptions(bed, `emulation-${path.name}`, {
        repository: `${bed.registry.host}/${repository}`,
        workspace: context(path.name),
        context: '.',
        buildArgs: {},
        env: await path.env(),
        builder: path.name,
        platforms: ['linux/amd64', 'linux/arm64'],
        log: memoryLog(),
      });
      const result = await buildImage(opts);
      const index = await getJson<{ manifests: { digest: string; platform?: { os: string; architecture: string } }[] }>(
        `${bed.registry.url}/v2/${repository}/manifests/${result.digest}`,
        indexTypes,
      );
      const images = index.manifests.filter((m) => m.platform?.os === 'linux');
      expect(images.map((m) => m.platform?.architecture).sort()).toEqual(['amd64', 'arm64']);
      for (const image of images) {
        expect(await textInLayers(bed.registry.url, repository, image.digest, 'ran '), opts.log.lines.join('\n')).toBe(
          `ran ${image.platform?.architecture}`,
        );
      }
    });
  },
);
