// One AbortSignal per run, fed by the action's timeout and by SIGTERM/SIGINT (a cancelled
// workflow). Every wait takes it; its reason tells a deadline from a cancellation.
import { setTimeout as delay } from 'node:timers/promises';
import { ExpeditorError } from './errors.ts';

export class DeadlineError extends ExpeditorError {
  readonly timeoutMs: number;
  /** `during`: the call the run was waiting on ("GitHub POST /repos/…"), so the failure names it. */
  constructor(timeoutMs: number, during?: string) {
    super(`the deadline of ${formatDuration(timeoutMs)} ran out${during ? ` while waiting for ${during}` : ''}`, {
      next: "raise the 'timeout' input if the platform needs longer, or look at why it is slow",
    });
    this.name = 'DeadlineError';
    this.timeoutMs = timeoutMs;
  }
}

export class CancelledError extends ExpeditorError {
  readonly signalName: string;
  constructor(signalName: string, during?: string) {
    super(`the run was cancelled (${signalName})${during ? ` while waiting for ${during}` : ''}`);
    this.name = 'CancelledError';
    this.signalName = signalName;
  }
}

/** The longest a GitHub job can run (35 days on a self-hosted runner; 6 h on a hosted one). */
export const longestJobMs = 35 * 24 * 3_600_000;

/** Node's timers hold at most 2^31-1 ms (about 24.8 days); a longer one fires at once. */
const longestTimerMs = 2 ** 31 - 1;

/** setTimeout for any length: a delay past Node's limit is waited in steps, never fired early. */
export function longTimeout(fn: () => void, ms: number): { clear(): void } {
  let timer: NodeJS.Timeout;
  const arm = (left: number): void => {
    timer = setTimeout(() => (left > longestTimerMs ? arm(left - longestTimerMs) : fn()), Math.min(left, longestTimerMs));
    timer.unref();
  };
  arm(Math.max(0, ms));
  return { clear: () => clearTimeout(timer) };
}

export interface RunSignal {
  readonly signal: AbortSignal;
  /** Removes the process signal handlers and the timer. */
  dispose(): void;
}

export function createRunSignal(options: { timeoutMs?: number; processSignals?: boolean } = {}): RunSignal {
  const controller = new AbortController();
  let timer: { clear(): void } | undefined;
  if (options.timeoutMs !== undefined && options.timeoutMs > 0) {
    const timeoutMs = options.timeoutMs;
    timer = longTimeout(() => controller.abort(new DeadlineError(timeoutMs)), timeoutMs);
  }
  const onSignal = (name: NodeJS.Signals): void => controller.abort(new CancelledError(name));
  if (options.processSignals !== false) {
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  }
  return {
    signal: controller.signal,
    dispose() {
      timer?.clear();
      process.off('SIGTERM', onSignal);
      process.off('SIGINT', onSignal);
    },
  };
}

/** Throws the signal's reason (DeadlineError or CancelledError) if it has fired. */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw abortReason(signal);
}

export function abortReason(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  return reason instanceof Error ? reason : new CancelledError(String(reason ?? 'aborted'));
}

/**
 * The signal's reason, naming the call the run was waiting on when it fired (a request held past
 * the deadline fails saying which); still a DeadlineError or CancelledError, so callers that tell
 * a cancel from a deadline still can.
 */
export function stoppedDuring(signal: AbortSignal, during: string): Error {
  const stop = abortReason(signal);
  if (stop instanceof DeadlineError) return new DeadlineError(stop.timeoutMs, during);
  if (stop instanceof CancelledError) return new CancelledError(stop.signalName, during);
  return stop;
}

/** Sleeps, but wakes with the signal's reason as soon as it fires. */
export async function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  throwIfAborted(signal);
  try {
    // Past Node's timer limit, wait in steps (a single timer would fire at once).
    let left = ms;
    do {
      await delay(Math.min(Math.max(left, 0), longestTimerMs), undefined, signal ? { signal } : undefined);
      left -= longestTimerMs;
    } while (left > 0);
  } catch (error) {
    if (signal?.aborted) throw abortReason(signal);
    throw error;
  }
}

/**
 * `promise`'s value, or undefined when it fails or has not settled within `ms`: for a read-back
 * after a run stopped (where things stand), which must not hold the run's end on a slow server.
 */
export async function settledWithin<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: { clear(): void } | undefined;
  const late = new Promise<undefined>((resolve) => {
    timer = longTimeout(() => resolve(undefined), ms);
  });
  try {
    return await Promise.race([promise.catch(() => undefined), late]);
  } finally {
    timer?.clear();
  }
}

/** A sub-deadline: aborts at `ms` from now or when the parent does, whichever comes first. */
export function withDeadline(parent: AbortSignal | undefined, ms: number): AbortSignal {
  const own = new AbortController();
  const timer = longTimeout(() => own.abort(new DeadlineError(ms)), ms);
  own.signal.addEventListener('abort', () => timer.clear(), { once: true });
  return parent ? AbortSignal.any([parent, own.signal]) : own.signal;
}

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s < 10 ? s.toFixed(1) : Math.round(s)} s`;
  const m = Math.floor(s / 60);
  const rest = Math.round(s - m * 60);
  if (m < 60) return rest ? `${m} min ${rest} s` : `${m} min`;
  const h = Math.floor(m / 60);
  return `${h} h ${m - h * 60} min`;
}

/** Parses `90`, `90s`, `15m`, `1h30m`, `500ms` into milliseconds; undefined if malformed. */
export function parseDuration(text: string): number | undefined {
  const trimmed = text.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h)/gy;
  let total = 0;
  let matched = 0;
  for (let m = re.exec(trimmed); m; m = re.exec(trimmed)) {
    const n = Number(m[1]);
    total += m[2] === 'ms' ? n : m[2] === 's' ? n * 1000 : m[2] === 'm' ? n * 60_000 : n * 3_600_000;
    matched = re.lastIndex;
  }
  return matched === trimmed.length && matched > 0 ? total : undefined;
}
