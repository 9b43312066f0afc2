// How many read calls a wait may make against an API with no watch (ECS, CodeDeploy), counting
// every call: the polls themselves, the occasional extra read, retries. Two rules hold at once:
// - since the wait began, at most `perMinute` calls per minute on average (a token bucket that
//   starts empty and saves up to `burst` calls while the wait is cheap), so even a wait shorter
//   than a minute stays within the rate;
// - in any 60 s, at most `perMinute` calls (a sliding window), so saved calls never add up to
//   a burst above the rate.
// A wait far from its end keeps `keep` calls in hand, so the stretch where the end is near can
// poll faster than the rate until the saved calls run out.
import { sleep } from '@expeditor/shared/deadline';

export interface CallBudgetOptions {
  /** Calls per minute, on average and in any 60 s. */
  perMinute: number;
  /** The most calls saved up while polling slower than the rate. */
  burst: number;
  /** Calls a read far from the end leaves in hand for the near end (default 1). */
  keepWhileFar?: number;
}

const WINDOW_MS = 60_000;

export class CallBudget {
  readonly perMinute: number;
  readonly burst: number;
  readonly keepWhileFar: number;
  private tokens = 0;
  private updatedAt: number;
  /** When the recent calls were made (the sliding window). */
  private readonly calls: number[] = [];
  private count = 0;
  private far = true;
  private readonly now: () => number;

  constructor(options: CallBudgetOptions, now: () => number = Date.now) {
    if (!(options.perMinute > 0) || !(options.burst >= 1)) throw new RangeError('a call budget needs perMinute > 0 and burst ≥ 1');
    this.perMinute = options.perMinute;
    this.burst = options.burst;
    this.keepWhileFar = Math.min(options.keepWhileFar ?? 1, options.burst - 1);
    this.now = now;
    this.updatedAt = now();
  }

  /** Whether the end looks near: far reads leave `keepWhileFar` calls in hand. */
  setNear(near: boolean): void {
    this.far = !near;
  }

  /** Calls made so far. */
  get spent(): number {
    return this.count;
  }

  /** Milliseconds until one more call fits (0: now). */
  delayMs(): number {
    const now = this.now();
    this.refill(now);
    const need = 1 + (this.far ? this.keepWhileFar : 0);
    const bucketMs = this.tokens >= need ? 0 : ((need - this.tokens) * WINDOW_MS) / this.perMinute;
    const inWindow = this.calls.filter((at) => at > now - WINDOW_MS);
    const windowMs = inWindow.length < this.perMinute ? 0 : inWindow[inWindow.length - this.perMinute]! + WINDOW_MS - now;
    return Math.max(0, Math.ceil(Math.max(bucketMs, windowMs)));
  }

  /** Waits until one more call fits, then counts it. Honours `signal`. */
  async take(signal?: AbortSignal): Promise<void> {
    for (let wait = this.delayMs(); wait > 0; wait = this.delayMs()) await sleep(wait, signal);
    this.charge();
  }

  /** Counts a call that cannot wait (cleanup after a deadline, a failure's details). */
  charge(): void {
    const now = this.now();
    this.refill(now);
    this.tokens -= 1;
    this.count += 1;
    this.calls.push(now);
    while (this.calls.length > this.perMinute && this.calls[0]! <= now - WINDOW_MS) this.calls.shift();
  }

  private refill(now: number): void {
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.updatedAt) * this.perMinute) / WINDOW_MS);
    this.updatedAt = now;
  }
}
