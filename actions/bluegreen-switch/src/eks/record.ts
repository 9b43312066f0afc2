// What a switch writes on the object it switched, so rollback is one more switch and cleanup
// knows how long the old color has been idle: previous color, time, commit and run URL.
import { ExpeditorError } from '@expeditor/shared/errors';
import { annotations, isColor, otherColor, type Color } from '@expeditor/bluegreen/names';

export interface SwitchRecord {
  previousColor: Color;
  switchedAt: Date;
  commit: string;
  runUrl: string;
}

/** Annotations for a merge patch; empty values remove an older run's entry (null). */
export function recordAnnotations(record: SwitchRecord): Record<string, string | null> {
  return {
    [annotations.previousColor]: record.previousColor,
    [annotations.switchedAt]: record.switchedAt.toISOString(),
    [annotations.commit]: record.commit || null,
    [annotations.runUrl]: record.runUrl || null,
  };
}

/** The record annotations as they are on an object, for a merge patch that puts them back (absent ones null). */
export function recordAsItWas(existing: Record<string, string> | undefined): Record<string, string | null> {
  const out: Record<string, string | null> = {};
  for (const key of [annotations.previousColor, annotations.switchedAt, annotations.commit, annotations.runUrl]) {
    out[key] = existing?.[key] ?? null;
  }
  return out;
}

export interface RecordedSwitch {
  previousColor: Color | undefined;
  switchedAt: Date | undefined;
  commit: string | undefined;
  runUrl: string | undefined;
}

export function readRecord(recorded: Record<string, string> | undefined): RecordedSwitch {
  const previous = recorded?.[annotations.previousColor];
  const at = recorded?.[annotations.switchedAt];
  const time = at ? new Date(at) : undefined;
  return {
    previousColor: previous && isColor(previous) ? previous : undefined,
    switchedAt: time && !Number.isNaN(time.getTime()) ? time : undefined,
    commit: recorded?.[annotations.commit] || undefined,
    runUrl: recorded?.[annotations.runUrl] || undefined,
  };
}

/** "by <run url> at <time>", for messages about an earlier switch; empty when nothing is recorded. */
export function describeRecord(record: RecordedSwitch): string {
  const parts = [
    record.runUrl ? `by ${record.runUrl}` : record.commit ? `for commit ${record.commit.slice(0, 12)}` : undefined,
    record.switchedAt ? `at ${record.switchedAt.toISOString()}` : undefined,
  ].filter(Boolean);
  return parts.join(' ');
}

/**
 * The color a switch moves to: for a rollback, the one the last switch recorded on `object`
 * (e.g. "Service shop"), an error when none was; otherwise the asked-for color, or the other one.
 */
export function targetColor(options: {
  object: string;
  recorded: RecordedSwitch;
  live: Color;
  rollback: boolean;
  asked: Color | undefined;
}): Color {
  const { object, recorded, live } = options;
  if (!options.rollback) return options.asked ?? otherColor(live);
  if (!recorded.previousColor) {
    throw new ExpeditorError(`${object} has no recorded switch to roll back (annotation ${annotations.previousColor})`, {
      unchanged: `nothing was changed; ${live} still serves`,
      next: "switch explicitly with action 'switch' and 'target-color'",
    });
  }
  return recorded.previousColor;
}
