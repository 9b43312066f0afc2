// One rule for every file a user names (an input or an environment-file key): the path, with its
// symlinks resolved, stays inside the workspace (or another root the caller allows, such as
// RUNNER_TEMP); it is a regular file; it is read with a size cap. Errors name the input or key and
// the path, never the file's content: a file outside the workspace may hold secrets.
import { closeSync, constants, fstatSync, lstatSync, openSync, readSync, realpathSync } from 'node:fs';
import { isAbsolute, resolve, sep } from 'node:path';
import { type ExpeditorError, type Origin, originError } from './errors.ts';
import { quote } from './inputs.ts';

export interface FileRule {
  workspace: string;
  /** The input or key that named the file, for errors. */
  origin: Origin;
  /** Refuse a larger file (a link to /dev/zero must not fill memory). */
  maxBytes: number;
  /** Roots besides the workspace the file may be under (e.g. RUNNER_TEMP); absolute paths are allowed only under these or the workspace. */
  alsoUnder?: readonly string[] | undefined;
  /** What stays unchanged when the file is refused, for the error. */
  unchanged?: string | undefined;
}

export const KiB = 1024;
export const MiB = 1024 * KiB;

/** Where a file the rule allows really is; throws naming the origin otherwise. A missing file is `exists: false`. */
export function resolveUserPath(path: string, rule: FileRule): { path: string; exists: boolean } {
  const roots = [rule.workspace, ...(rule.alsoUnder ?? [])].filter(Boolean).map((r) => resolve(r));
  const full = isAbsolute(path) ? resolve(path) : resolve(rule.workspace, path);
  const inside = (p: string, root: string) => p === root || p.startsWith(root.endsWith(sep) ? root : root + sep);
  if (!roots.some((root) => inside(full, root))) {
    throw fileError(rule, `${quote(path)} is outside the workspace`, 'give a path inside the repository checkout (relative to its root)');
  }
  let real: string;
  try {
    real = realpathSync(full);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    // A link that leads nowhere is not "no file": a gate that treated it as absent would fail open.
    if (code === 'ENOENT' && lstatSync(full, { throwIfNoEntry: false })?.isSymbolicLink()) {
      throw fileError(rule, `${quote(path)} is a symbolic link to a file that does not exist`);
    }
    if (code === 'ENOENT') return { path: full, exists: false };
    if (code === 'ELOOP') throw fileError(rule, `${quote(path)} is a loop of symbolic links`);
    throw fileError(rule, `${quote(path)} cannot be read (${code ?? 'error'})`);
  }
  const realRoots = roots.map((root) => {
    try {
      return realpathSync(root);
    } catch {
      return root;
    }
  });
  if (!realRoots.some((root) => inside(real, root))) {
    throw fileError(
      rule,
      `${quote(path)} leads outside the workspace through a symbolic link`,
      'use a file of the repository itself, not a link out of it',
    );
  }
  return { path: real, exists: true };
}

/** The text of a file the rule allows: a regular file, at most `maxBytes`, UTF-8 (a leading BOM dropped). */
export function readUserFile(path: string, rule: FileRule): string {
  const resolved = resolveUserPath(path, rule);
  if (!resolved.exists) {
    throw fileError(
      rule,
      `${quote(path)} does not exist in the workspace`,
      'check the path (relative to the repository root) and that the workflow checked the repository out',
    );
  }
  let fd: number;
  try {
    // Non-blocking: opening a named pipe must not wait for a writer (it is refused below).
    fd = openSync(resolved.path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    throw fileError(rule, `${quote(path)} cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  try {
    // Checked on the open file, so what is read is what was checked.
    const stat = fstatSync(fd);
    if (stat.isDirectory()) throw fileError(rule, `${quote(path)} is a directory, not a file`);
    if (!stat.isFile()) throw fileError(rule, `${quote(path)} is not a regular file`);
    if (stat.size > rule.maxBytes)
      throw fileError(rule, `${quote(path)} is larger than ${sizeText(rule.maxBytes)} (${sizeText(stat.size)})`);
    const buffer = Buffer.alloc(Math.min(stat.size, rule.maxBytes) + 1);
    let length = 0;
    for (;;) {
      const n = readSync(fd, buffer, length, buffer.length - length, null);
      if (n === 0) break;
      length += n;
      if (length > rule.maxBytes) throw fileError(rule, `${quote(path)} is larger than ${sizeText(rule.maxBytes)}`);
    }
    const text = buffer.subarray(0, length).toString('utf8');
    return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  } finally {
    closeSync(fd);
  }
}

function sizeText(bytes: number): string {
  return bytes >= MiB ? `${(bytes / MiB).toFixed(1)} MiB` : `${Math.ceil(bytes / KiB)} KiB`;
}

function fileError(rule: FileRule, message: string, next?: string): ExpeditorError {
  return originError(rule.origin, message, { unchanged: rule.unchanged ?? 'nothing was changed', next });
}
