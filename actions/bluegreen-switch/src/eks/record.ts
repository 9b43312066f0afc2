// What a switch writes on the object it switched, so rollback is one more switch and cleanup
// knows how long the old color has been idle: previous color, time, commit and run URL.
import { ExpeditorError } from '@expeditor/shared/errors';
import { annotationKeys, isColor, otherColor, type Color } from './names.ts';

export interface SwitchRecord {
  previousColor: Color;
  switchedAt: Date;
  commit: string;
  runUrl: string;
}

/** Annotations for a merge patch; empty values remove an older run's entry (null). */
export function recordAnnotations(record: SwitchRecord): Record<string, string | null> {
  return {
    [annotationKeys.previousColor]: record.previousColor,
    [annotationKeys.switchedAt]: record.switchedAt.toISOString(),
    [annotationKeys.commit]: record.commit || null,
    [annotationKeys.runUrl]: record.runUrl || null,
  };
}

export interface RecordedSwitch {
  previousColor: Color | undefined;
  switchedAt: Date | undefined;
  commit: string | undefined;
  runUrl: string | undefined;
}

export function readRecord(annotations: Record<string, string> | undefined): RecordedSwitch {
  const previous = annotations?.[annotationKeys.previousColor];
  const at = annotations?.[annotationKeys.switchedAt];
  const time = at ? new Date(at) : undefined;
  return {
    previousColor: previous && isColor(previous) ? previous : undefined,
    switchedAt: time && !Number.isNaN(time.getTime()) ? time : undefined,
    commit: annotations?.[annotationKeys.commit] || undefined,
    runUrl: annotations?.[annotationKeys.runUrl] || undefined,
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
export function targetColor(options: { object: string; recorded: RecordedSwitch; live: Color; rollback: boolean; asked: Color | undefined }): Color {
  const { object, recorded, live } = options;
  if (!options.rollback) return options.asked ?? otherColor(live);
  if (!recorded.previousColor) {
    throw new ExpeditorError(`${object} has no recorded switch to roll back (annotation ${annotationKeys.previousColor})`, {
      unchanged: `nothing was changed; ${live} still serves`,
      next: "switch explicitly with action 'switch' and 'target-color'",
    });
  }
  return recorded.previousColor;
}
