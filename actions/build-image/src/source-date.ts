// The image's time: the commit's, not the wall clock's, so the same commit built twice (a re-run
// with force, another runner) gives the same created label, config and history times — and, where
// the builder makes layers reproducibly too, the same digest. SOURCE_DATE_EPOCH (the
// reproducible-builds convention) wins when the caller set it; otherwise the committer time of
// HEAD in the workspace; only where neither is known does the wall clock stand in, and the log
// says so.
import { ExpeditorError } from '@expeditor/shared/errors';
import type { Env } from '@expeditor/shared/inputs';
import { exec, findOnPath } from './exec.ts';

export interface SourceDate {
  /** Seconds since the epoch. */
  epoch: number;
  /** Where it came from, for the log and the summary. */
  from: 'SOURCE_DATE_EPOCH' | 'commit' | 'clock';
  /** Why the wall clock was used (git's answer), when it was. */
  note?: string;
}

/** The variable's value as seconds; anything but a non-negative integer is refused before any build. */
export function parseSourceDateEpoch(raw: string): number {
  const epoch = /^\d{1,12}$/.test(raw.trim()) ? Number(raw.trim()) : Number.NaN;
  if (!Number.isSafeInteger(epoch)) {
    throw new ExpeditorError(`SOURCE_DATE_EPOCH is ${JSON.stringify(raw)}: expected whole seconds since 1970 (e.g. 1700000000)`, {
      unchanged: 'nothing was built or pushed',
      next: "set it to the commit time (git show -s --format=%ct HEAD), or unset it to use HEAD's commit time",
    });
  }
  return epoch;
}

/**
 * SOURCE_DATE_EPOCH of the step's environment, else `git show -s --format=%ct HEAD` in the
 * workspace, else the wall clock (`now`). A workspace that is not a git checkout, or git missing
 * or refusing (safe.directory), is no error: the build goes on, just not reproducibly.
 */
export async function sourceDate(env: Env, workspace: string, now: () => Date, signal?: AbortSignal): Promise<SourceDate> {
  const given = env.SOURCE_DATE_EPOCH;
  if (given !== undefined && given !== '') return { epoch: parseSourceDateEpoch(given), from: 'SOURCE_DATE_EPOCH' };
  const clock = (note: string): SourceDate => ({ epoch: Math.floor(now().getTime() / 1000), from: 'clock', note });
  const git = findOnPath('git', env);
  if (!git) return clock('git is not on PATH');
  const shown = await exec(git, ['-C', workspace, 'show', '-s', '--format=%ct', 'HEAD'], { env, signal });
  const line = shown.stdout.trim();
  if (shown.code === 0 && /^\d+$/.test(line)) return { epoch: Number(line), from: 'commit' };
  return clock(`git show HEAD in ${workspace}: ${shown.tail.filter(Boolean).at(-1)?.trim() ?? `exit ${shown.code}`}`);
}

/** `2023-11-14T22:13:20Z (HEAD's commit time)`, for the log and the summary. */
export function describeSourceDate(date: SourceDate): string {
  const iso = new Date(date.epoch * 1000).toISOString().replace('.000Z', 'Z');
  if (date.from === 'SOURCE_DATE_EPOCH') return `${iso} (SOURCE_DATE_EPOCH)`;
  if (date.from === 'commit') return `${iso} (HEAD's commit time)`;
  return `${iso} (the wall clock: ${date.note ?? 'no commit time'}; the digest will differ on every build)`;
}
