// A write the run must not leave half-sent. A cancelled workflow (SIGTERM) or the deadline aborts
// the run's signal; passed to a write, that cuts the request off after it may have reached the
// server, so the run cannot tell whether the service was updated or the deployment created, and
// says only "cancelled" over a change it never followed or undid. Instead: before sending, an
// aborted run refuses the write naming what is unchanged; once sent, the write gets a short grace
// after the stop, and the caller's next wait sees the cancellation with the write's answer in hand (and
// rolls back or stops what it started). The grace only starts with the stop: a run that is not
// stopped retries its writes as long as it always did.
import { CancelledError, DeadlineError, abortReason, longTimeout } from './deadline.ts';
import { ExpeditorError } from './errors.ts';

/** Grace after a stop for a write in flight (and a retry or two); short of the runner's kill. */
export const writeGraceMs = 5_000;

/**
 * The signal to send one write with (and retry it under): throws (the stop's message, `before
 * <what>`, and `unchanged`) when `run` has already fired; else a signal that fires `graceMs` after
 * `run` does, with the run's reason, so a write under way lands and a normal run's retries are not
 * cut short.
 */
export function writeSignal(run: AbortSignal | undefined, what: string, unchanged?: string, graceMs = writeGraceMs): AbortSignal {
  if (!run) return new AbortController().signal;
  if (run.aborted) {
    const stop = abortReason(run);
    throw new ExpeditorError(`${stop.message}, before ${what}`, {
      cause: stop,
      ...(unchanged ? { unchanged } : {}),
      ...(stop instanceof ExpeditorError && stop.next ? { next: stop.next } : {}),
    });
  }
  return graceAfter(run, graceMs);
}

/** A signal that fires `graceMs` after `run` does (armed at once when `run` already fired), with its reason. */
export function graceAfter(run: AbortSignal, graceMs = writeGraceMs): AbortSignal {
  const own = new AbortController();
  const arm = (): void => void longTimeout(() => own.abort(run.reason), graceMs);
  if (run.aborted) arm();
  else run.addEventListener('abort', arm, { once: true });
  return own.signal;
}

/**
 * For a phase that writes nothing (reads, checks): a cancellation or the run's deadline that ends
 * it leaves `unchanged`, and the run's one error line says so instead of a bare "the run was
 * cancelled" or "the deadline ran out" (with `next`, what to do about what was left, e.g. a
 * deployment still held; a deadline keeps its own advice after it).
 */
export function cancelledLeaving(unchanged: string, next?: string): (error: unknown) => never {
  return (error) => {
    if (error instanceof CancelledError && !error.unchanged)
      throw new ExpeditorError(error.message, { cause: error, unchanged, ...(next ? { next } : {}) });
    if (error instanceof DeadlineError && !error.unchanged) {
      const advice = [next, error.next].filter(Boolean).join('; ');
      throw new ExpeditorError(error.message, { cause: error, unchanged, ...(advice ? { next: advice } : {}) });
    }
    throw error;
  };
}
