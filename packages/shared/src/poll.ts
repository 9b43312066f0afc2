// Waiting on an API that has no watch (ECS, CodeDeploy): poll at a short interval that grows
// while nothing changes and drops back as soon as something does, within a deadline.
import { sleep, throwIfAborted } from './deadline.ts';

export interface PollStep<T> {
  /** The state just read. */
  state: T;
  /** Stop polling and return this state. */
  done: boolean;
  /**
   * Whether the end looks near (e.g. every task runs and only the platform's final check is
   * left). With `far` bounds set, a step that says false is followed by a slower poll.
   */
  near?: boolean;
}

export interface PollOptions<T> {
  signal?: AbortSignal;
  /** Reads the state once; throw to fail the wait. */
  read: () => Promise<PollStep<T>>;
  /** A string that changes exactly when the state changes in a way worth logging. */
  fingerprint: (state: T) => string;
  /** Called once per change of fingerprint (never per poll). */
  onChange?: (state: T, previous: T | undefined) => void;
  /** First and reset interval (default 1 s). */
  minIntervalMs?: number;
  /** Longest interval while nothing changes (default 10 s). */
  maxIntervalMs?: number;
  /** Growth per unchanged poll (default 1.5). */
  factor?: number;
  /**
   * Interval bounds while the last step said the end is not near (`near: false`): long phases
   * then cost fewer calls, and the end, once near, is still polled within min/max.
   */
  far?: { minIntervalMs: number; maxIntervalMs: number };
}

export interface PollResult<T> {
  state: T;
  polls: number;
}

export async function pollUntil<T>(options: PollOptions<T>): Promise<PollResult<T>> {
  const min = options.minIntervalMs ?? 1000;
  const max = options.maxIntervalMs ?? 10_000;
  const factor = options.factor ?? 1.5;
  let interval = min;
  let previous: T | undefined;
  let previousPrint: string | undefined;
  for (let polls = 1; ; polls++) {
    throwIfAborted(options.signal);
    const step = await options.read();
    const print = options.fingerprint(step.state);
    const bounds =
      step.near === false && options.far ? { lo: options.far.minIntervalMs, hi: options.far.maxIntervalMs } : { lo: min, hi: max };
    if (print !== previousPrint) {
      options.onChange?.(step.state, previous);
      interval = bounds.lo;
    } else {
      interval = Math.max(bounds.lo, Math.min(bounds.hi, interval * factor));
    }
    previous = step.state;
    previousPrint = print;
    if (step.done) return { state: step.state, polls };
    await sleep(interval, options.signal);
  }
}
