// Checks on the build context made before any network call: the Dockerfile exists, the target
// stage is one of its stages, and every build argument a FROM line needs has a value.
import { statSync } from 'node:fs';
import { MiB, readUserFile } from '@expeditor/shared/workspace-file';
import { relative } from 'node:path';
import { InputError } from '@expeditor/shared/errors';
import { quote } from '@expeditor/shared/inputs';
import { mountedSecretIds } from './secrets.ts';

export interface DockerfileFacts {
  /** Stage names in order (an unnamed stage is its index). */
  stages: string[];
  /** The stage that will be built: the target, or the last one. */
  built: string;
  /** Secret ids that RUN --mount=type=secret steps mount. */
  secretMounts: Set<string>;
}

export async function checkBuildContext(options: {
  contextDir: string;
  dockerfilePath: string;
  workspace: string;
  target: string | undefined;
  buildArgs: Readonly<Record<string, string>>;
}): Promise<DockerfileFacts> {
  const shown = (path: string): string => relative(options.workspace, path) || '.';
  if (!statSync(options.contextDir, { throwIfNoEntry: false })?.isDirectory()) {
    throw new InputError(
      'context',
      `${quote(shown(options.contextDir))} is not a directory in the workspace`,
      'check out the code first, or fix the path',
    );
  }
  // The Dockerfile goes through the workspace file rule: no link out of the checkout, a regular file, at most 1 MiB.
  const text = readUserFile(shown(options.dockerfilePath), {
    workspace: options.workspace,
    origin: { input: 'dockerfile' },
    maxBytes: MiB,
  });
  // dockerfile-ast is loaded here, not at start-up: only a build needs it.
  const { DockerfileParser } = await import('dockerfile-ast');
  const dockerfile = DockerfileParser.parse(text);
  const froms = dockerfile.getFROMs();
  if (froms.length === 0) {
    throw new InputError('dockerfile', `${quote(shown(options.dockerfilePath))} has no FROM instruction`);
  }
  const stages = froms.map((from, index) => from.getBuildStage() ?? String(index));
  const named = froms.map((from) => from.getBuildStage()).filter((name): name is string => Boolean(name));
  if (options.target !== undefined && !named.some((name) => name.toLowerCase() === options.target?.toLowerCase())) {
    throw new InputError(
      'target',
      `no stage named ${quote(options.target)} in ${shown(options.dockerfilePath)} (${named.length ? `stages: ${named.join(', ')}` : 'it names no stages'})`,
    );
  }

  // A FROM that needs an argument with neither a default nor a value fails only mid-build.
  const defaults = new Set(
    dockerfile
      .getInitialARGs()
      .map((arg) => arg.getProperty())
      .filter((property) => property?.getValue() !== null && property?.getValue() !== undefined)
      .map((property) => property?.getName() ?? ''),
  );
  for (const from of froms) {
    const image = from.getImage() ?? '';
    // $NAME or ${NAME}; ${NAME:-x} and ${NAME:+x} need no value.
    for (const match of image.matchAll(/\$(?:\{([A-Za-z_][A-Za-z0-9_]*)(:[-+][^}]*)?\}|([A-Za-z_][A-Za-z0-9_]*))/g)) {
      const name = match[1] ?? match[3] ?? '';
      if (match[2]) continue;
      if (!(name in options.buildArgs) && !defaults.has(name)) {
        throw new InputError(
          'build-args',
          `${shown(options.dockerfilePath)} line ${from.getRange().start.line + 1} builds FROM ${image} but ${name} has no value`,
          `add ${name}=<image> to 'build-args', or give the ARG a default`,
        );
      }
    }
  }
  const built = options.target ?? stages.at(-1) ?? '0';
  return { stages, built, secretMounts: mountedSecretIds(text) };
}
