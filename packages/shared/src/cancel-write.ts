// A write the run must not leave half-sent. A cancelled workflow (SIGTERM) or the deadline aborts
// the run's signal; passed to a write, that cuts the request off after it may have reached the
// server, so the run cannot tell whether the service was updated or the deployment created, and
// says only "cancelled" over a change it never followed or undid. Instead: before sending, an
// aborted run refuses the write naming what is unchanged; once sent, the write keeps its own short
// deadline, and the caller's next wait sees the cancellation with the write's answer in hand (and
// rolls back or stops what it started).
import { abortReason, withDeadline } from './deadline.ts';
import { ExpeditorError } from './errors.ts';

/** Long enough for a write and a retry or two; short enough to finish before the runner's kill. */
export const writeDeadlineMs = 5_000;

/**
 * The signal to send one write with: throws (the stop's message, `before <what>`, and `unchanged`)
 * when `run` has already fired, else a fresh signal that only its own deadline aborts.
 */
export function writeSignal(run: AbortSignal | undefined, what: string, unchanged?: string, ms = writeDeadlineMs): AbortSignal {
  if (run?.aborted) {
    const stop = abortReason(run);
    throw new ExpeditorError(`${stop.message}, before ${what}`, {
      cause: stop,
      ...(unchanged ? { unchanged } : {}),
      ...(stop instanceof ExpeditorError && stop.next ? { next: stop.next } : {}),
    });
  }
  return withDeadline(undefined, ms);
}
