// Build secrets (a private npm token, say): given as values, environment variables or files,
// available only to `RUN --mount=type=secret` steps, never in a layer, the config, the history or
// the log. Each is masked before anything runs, checked against the Dockerfile's secret mounts
// (a secret no step mounts is a mistake the build would never show), and handed to the builder
// as a file of mode 600 in the run's scratch directory (`--secret id=…,src=…`), removed after.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '@expeditor/shared/errors';
import type { Env } from '@expeditor/shared/inputs';
import { readUserFile } from '@expeditor/shared/workspace-file';

/** Where a secret comes from: the input that named it and what it says (value, variable name or path). */
export interface SecretSource {
  id: string;
  input: 'secrets' | 'secret-envs' | 'secret-files';
  /** The value itself (secrets), the environment variable's name (secret-envs), the file's path (secret-files). */
  from: string;
}

export interface Secret {
  id: string;
  input: SecretSource['input'];
  value: string;
}

const idPattern = /^[A-Za-z0-9_.-]{1,128}$/;

/**
 * `id=…` lines of one input. A malformed line is reported by its number only: a value must never
 * reach an error message.
 */
export function parseSecretLines(
  input: SecretSource['input'],
  raw: string | undefined,
  problem: (input: string, message: string) => void,
): SecretSource[] {
  const out: SecretSource[] = [];
  const lines = (raw ?? '').split('\n');
  lines.forEach((line, index) => {
    if (!line.trim()) return;
    const eq = line.indexOf('=');
    const id = eq > 0 ? line.slice(0, eq).trim() : '';
    const from = eq > 0 ? line.slice(eq + 1) : '';
    if (!idPattern.test(id) || !from) {
      problem(
        input,
        `line ${index + 1}: expected id=${input === 'secrets' ? 'value' : input === 'secret-envs' ? 'ENV_NAME' : 'path'} with an id of letters, digits, _ . - (the line is not shown: it may hold a secret)`,
      );
      return;
    }
    out.push({ id, input, from: input === 'secrets' ? from : from.trim() });
  });
  return out;
}

/** Ids given twice across the three inputs: one problem each. */
export function duplicateSecretIds(sources: readonly SecretSource[]): string[] {
  const seen = new Set<string>();
  const twice = new Set<string>();
  for (const { id } of sources) (seen.has(id) ? twice : seen).add(id);
  return [...twice];
}

/** The values, read from the environment of the builders or from files through the file rule. */
export function resolveSecrets(sources: readonly SecretSource[], env: Env, workspace: string): Secret[] {
  return sources.map((source) => {
    if (source.input === 'secrets') return { id: source.id, input: source.input, value: source.from };
    if (source.input === 'secret-envs') {
      const value = env[source.from];
      if (!value) {
        throw new InputError('secret-envs', `secret "${source.id}": the environment variable ${source.from} is not set or empty`);
      }
      return { id: source.id, input: source.input, value };
    }
    // Inside the workspace, or under RUNNER_TEMP where an earlier step may have written it.
    const alsoUnder = env.RUNNER_TEMP ? [env.RUNNER_TEMP] : undefined;
    const value = readUserFile(source.from, { workspace, origin: { input: 'secret-files' }, maxBytes: 512 * 1024, alsoUnder });
    return { id: source.id, input: source.input, value };
  });
}

/** The secret ids the Dockerfile's `RUN --mount=type=secret` steps mount (an id defaults to the target's file name). */
export function mountedSecretIds(dockerfileText: string): Set<string> {
  const ids = new Set<string>();
  for (const match of dockerfileText.matchAll(/--mount=(\S+)/g)) {
    const fields = new Map(
      (match[1] ?? '').split(',').map((field) => {
        const eq = field.indexOf('=');
        return [eq < 0 ? field : field.slice(0, eq), eq < 0 ? 'true' : field.slice(eq + 1)] as const;
      }),
    );
    if (fields.get('type') !== 'secret') continue;
    const id = fields.get('id') ?? fields.get('target')?.split('/').pop() ?? fields.get('dst')?.split('/').pop();
    if (id) ids.add(id);
  }
  return ids;
}

/** Refuses a secret no step mounts, naming the input it came from. */
export function checkSecretsMounted(
  secrets: readonly Pick<Secret, 'id' | 'input'>[],
  mounted: ReadonlySet<string>,
  dockerfile: string,
): void {
  for (const secret of secrets) {
    if (!mounted.has(secret.id)) {
      throw new InputError(
        secret.input,
        `secret "${secret.id}" is not mounted by any RUN --mount=type=secret,id=${secret.id} in ${dockerfile}${mounted.size ? ` (it mounts: ${[...mounted].join(', ')})` : ''}: no step would see it`,
        `mount it where it is needed (RUN --mount=type=secret,id=${secret.id} …), or drop it from '${secret.input}'`,
      );
    }
  }
}

/** Each secret in a file of its own (mode 600) under the scratch directory; the builders' --secret flags. */
export function secretFlags(secrets: readonly Secret[], scratch: string): string[] {
  return secrets.flatMap((secret, index) => {
    const file = join(scratch, `secret-${index}`);
    writeFileSync(file, secret.value, { mode: 0o600 });
    return ['--secret', `id=${secret.id},src=${file}`];
  });
}
