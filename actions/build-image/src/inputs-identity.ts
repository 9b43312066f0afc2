// The identity of a build is its inputs, not its commit: the git tree of the build context, the
// Dockerfile's blob (it may lie outside the context), the build args, target, platforms, extra
// labels and secret ids (never their values). Two commits with the same inputs (a develop commit
// and its merge to main, no-ff or squash) build the same image, so build-image tags the image
// built first with the second commit instead of building a new digest the promotion gate would
// refuse. The key is only trusted when the files the builder would read are the committed ones:
// anything uncommitted, untracked or ignored in the context that .dockerignore does not exclude,
// a workspace that is not a git checkout, or a tree git cannot read turns it off, with the reason.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { basename, join, relative, sep } from 'node:path';
import type { Env } from '@expeditor/shared/inputs';
import { exec } from './exec.ts';

/** Prefix of the tag naming an image by its build inputs: `inputs-<24 hex>`. */
export const inputsTagPrefix = 'inputs-';

/** What goes into the key, all of it already free of secret values. */
export interface IdentityFacts {
  /** Tree object id of the context directory at HEAD. */
  contextTree: string;
  /** Blob object id of the Dockerfile at HEAD. */
  dockerfileBlob: string;
  target: string | undefined;
  buildArgs: Readonly<Record<string, string>>;
  labels: Readonly<Record<string, string>>;
  /** As given; empty means the runner's own, so that one is named instead. */
  platforms: readonly string[];
  secretIds: readonly string[];
  /** Attestations asked for (`provenance=min`, `sbom`), which change what the tag points at; none when absent. */
  attestations?: readonly string[] | undefined;
}

export type InputsIdentity = { on: true; tag: string; facts: IdentityFacts; commit: string } | { on: false; reason: string };

/** The runner's own platform, which an empty platforms input builds for. */
export function runnerPlatform(arch: string = process.arch): string {
  return `linux/${({ x64: 'amd64', ia32: '386', arm: 'arm/v7' } as Record<string, string>)[arch] ?? arch}`;
}

/**
 * `inputs-<24 hex>`: SHA-256 over the facts in a fixed order (maps sorted by key), cut to 96 bits.
 * Build arg values go into the hash but never into a log line or an error.
 */
export function inputsTag(facts: IdentityFacts): string {
  const sorted = (record: Readonly<Record<string, string>>): [string, string][] =>
    Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const canonical = JSON.stringify([
    'expeditor build inputs v1',
    facts.contextTree,
    facts.dockerfileBlob,
    facts.target ?? null,
    sorted(facts.buildArgs),
    sorted(facts.labels),
    facts.platforms.length ? [...facts.platforms] : [runnerPlatform()],
    [...facts.secretIds].sort(),
    // Only when asked for, so an image without attestations keeps the key it always had.
    ...(facts.attestations?.length ? [[...facts.attestations].sort()] : []),
  ]);
  return `${inputsTagPrefix}${createHash('sha256').update(canonical).digest('hex').slice(0, 24)}`;
}

/** One entry of `git status --porcelain=v1 -z`: its two status letters and path (from the repository root). */
export interface StatusEntry {
  code: string;
  path: string;
}

export function parseStatus(z: string): StatusEntry[] {
  const fields = z.split('\0');
  const entries: StatusEntry[] = [];
  for (let i = 0; i < fields.length; i++) {
    const field = fields[i] ?? '';
    if (field.length < 4) continue;
    const code = field.slice(0, 2);
    entries.push({ code, path: field.slice(3) });
    // A rename or copy is followed by its source path.
    if (code.includes('R') || code.includes('C')) i++;
  }
  return entries;
}

/**
 * The ignore rules the builder applies to the context, or why none can be trusted. Only the
 * context's .dockerignore is honoured: buildx prefers `<Dockerfile>.dockerignore` and buildah
 * `.containerignore`, and which one wins differs by builder and version, so either makes every
 * untracked or ignored file count.
 */
export function dockerIgnoreFile(contextDir: string, dockerfilePath: string): { file: string } | { none: string } {
  for (const other of [`${dockerfilePath}.dockerignore`, `${dockerfilePath}.containerignore`, join(contextDir, '.containerignore')]) {
    if (existsSync(other)) return { none: `${basename(other)} is present (builders differ on which ignore file wins)` };
  }
  const file = join(contextDir, '.dockerignore');
  return existsSync(file) ? { file } : { none: 'no .dockerignore' };
}

/**
 * The status entries that change what the builder reads: any change to a tracked file, and any
 * untracked or ignored path the .dockerignore patterns do not exclude (a directory entry with any
 * `!` pattern around is counted: a pattern could bring part of it back).
 */
export async function entriesThatCount(
  entries: readonly StatusEntry[],
  contextPrefix: string,
  ignoreText: string | undefined,
): Promise<StatusEntry[]> {
  const untracked = entries.filter((e) => e.code === '??' || e.code === '!!');
  const changed = entries.filter((e) => !untracked.includes(e));
  if (ignoreText === undefined || !untracked.length) return [...changed, ...untracked];
  // Loaded only when there is something to match.
  const { default: ignore } = await import('@balena/dockerignore');
  const patterns = ignoreText.split(/\r?\n/).filter((l) => l.trim() && !l.trim().startsWith('#'));
  const matcher = ignore().add(patterns);
  const negations = patterns.some((p) => p.trim().startsWith('!'));
  const counted = untracked.filter((entry) => {
    const inContext = entry.path.startsWith(contextPrefix) ? entry.path.slice(contextPrefix.length) : undefined;
    // Outside the context (the Dockerfile's own directory): the builder reads only the Dockerfile.
    if (inContext === undefined) return true;
    const path = inContext.replace(/\/$/, '');
    if (!path || path === '.dockerignore') return true;
    if (entry.path.endsWith('/') && negations) return true;
    return !matcher.ignores(path);
  });
  return [...changed, ...counted];
}

/** The build's inputs as given (the facts but what git says of the context and the Dockerfile). */
export interface IdentityOptions extends Omit<IdentityFacts, 'contextTree' | 'dockerfileBlob'> {
  /** Absolute context directory and Dockerfile path. */
  contextDir: string;
  dockerfilePath: string;
  /** The builders' environment: git is found on its PATH. */
  env: Env;
  signal?: AbortSignal | undefined;
}

/** The build's identity by inputs, or why it cannot be trusted (then the build is by commit, as before). */
export async function inputsIdentity(options: IdentityOptions): Promise<InputsIdentity> {
  const off = (reason: string): InputsIdentity => ({ on: false, reason });
  const git = async (args: string[]): Promise<{ ok: true; out: string } | { ok: false; why: string }> => {
    try {
      const result = await exec('git', ['--literal-pathspecs', ...args], {
        env: { ...options.env, GIT_OPTIONAL_LOCKS: '0' },
        cwd: options.contextDir,
        signal: options.signal,
        tailLines: 3,
      });
      return result.code === 0
        ? { ok: true, out: result.stdout }
        : { ok: false, why: result.tail.join(' ').trim() || `exit ${result.code}` };
    } catch (error) {
      if (options.signal?.aborted) throw error;
      return { ok: false, why: error instanceof Error ? error.message : String(error) };
    }
  };
  const top = await git(['rev-parse', '--show-toplevel']);
  if (!top.ok) return off(`the context is not in a git checkout (${top.why})`);
  const root = top.out.trim();
  // git names the top level by its real path: a workspace reached through a link must be too.
  const contextRel = relative(root, realpathSync(options.contextDir)).split(sep).join('/');
  const dockerfileRel = relative(root, realpathSync(options.dockerfilePath)).split(sep).join('/');
  if (dockerfileRel.startsWith('../')) return off('the Dockerfile is outside the git checkout of the context');

  const commit = await git(['rev-parse', '--verify', 'HEAD^{commit}']);
  if (!commit.ok) return off(`HEAD is not a commit (${commit.why})`);
  // Read from HEAD's objects: a shallow or partial clone that lacks them says so here.
  const tree = await git(['rev-parse', '--verify', `HEAD:${contextRel}`]);
  if (!tree.ok) return off(`git cannot read the context's tree at HEAD: not committed, or its objects are missing (${tree.why})`);
  const blob = await git(['rev-parse', '--verify', `HEAD:${dockerfileRel}`]);
  if (!blob.ok) return off(`git cannot read the Dockerfile at HEAD: not committed, or its objects are missing (${blob.why})`);
  // Files a sparse checkout leaves out are in the tree but not in the context, and git status does not list them.
  const sparse = await git(['config', '--get', '--bool', 'core.sparseCheckout']);
  if (sparse.ok && sparse.out.trim() === 'true') return off('the checkout is sparse: files of the tree may be missing from the context');

  const status = await git([
    '-C',
    root,
    'status',
    '--porcelain=v1',
    '-z',
    '--ignored=traditional',
    '--untracked-files=normal',
    '--',
    contextRel || '.',
    dockerfileRel,
  ]);
  if (!status.ok) return off(`git status failed (${status.why})`);
  const ignoreFile = dockerIgnoreFile(options.contextDir, options.dockerfilePath);
  const ignoreText = 'file' in ignoreFile ? readFileSync(ignoreFile.file, 'utf8') : undefined;
  const prefix = contextRel ? `${contextRel}/` : '';
  const counted = await entriesThatCount(parseStatus(status.out), prefix, ignoreText);
  if (counted.length) {
    const shown = counted.slice(0, 5).map((e) => `${e.code === '!!' ? 'ignored' : e.code === '??' ? 'untracked' : 'changed'} ${e.path}`);
    const more = counted.length > 5 ? ` and ${counted.length - 5} more` : '';
    const untracked = counted.some((e) => e.code === '??' || e.code === '!!');
    const why = !untracked
      ? ''
      : 'none' in ignoreFile
        ? `; ${ignoreFile.none} to exclude them`
        : ', which its .dockerignore does not exclude';
    return off(`the context holds files that are not committed (${shown.join(', ')}${more})${why}`);
  }
  const facts: IdentityFacts = {
    contextTree: tree.out.trim(),
    dockerfileBlob: blob.out.trim(),
    target: options.target,
    buildArgs: options.buildArgs,
    labels: options.labels,
    platforms: options.platforms,
    secretIds: options.secretIds,
    ...(options.attestations?.length ? { attestations: options.attestations } : {}),
  };
  return { on: true, tag: inputsTag(facts), facts, commit: commit.out.trim() };
}

/** The log line saying what the identity is made of (build arg and label names, never values), or why it is off. */
export function describeIdentity(identity: InputsIdentity, context: string): string {
  if (!identity.on) return `Reuse by build inputs is off: ${identity.reason}; building by commit`;
  const { facts } = identity;
  const names = (record: Readonly<Record<string, string>>): string => Object.keys(record).sort().join(', ') || 'none';
  return [
    `Build inputs ${identity.tag}: context ${context} (tree ${facts.contextTree.slice(0, 12)})`,
    `Dockerfile blob ${facts.dockerfileBlob.slice(0, 12)}`,
    `target ${facts.target ?? 'last stage'}`,
    `platforms ${facts.platforms.join(', ') || `${runnerPlatform()} (the runner's)`}`,
    `build args ${names(facts.buildArgs)}`,
    `labels ${names(facts.labels)}`,
    `secret ids ${facts.secretIds.length ? [...facts.secretIds].sort().join(', ') : 'none'}`,
    `attestations ${facts.attestations?.length ? [...facts.attestations].sort().join(', ') : 'none'}`,
  ].join(', ');
}
