// The one write every switch, rollback and canary step makes: a merge patch that carries the
// resourceVersion the decision was made on. The apiserver applies it only if the object has not
// changed since (else 409 Conflict), so of two switches that read the same version exactly one
// wins, and the loser changes nothing.
import { ExpeditorError } from '@expeditor/shared/errors';
import { isRetryable } from '@expeditor/shared/retry';
import { sleep, throwIfAborted } from '@expeditor/shared/deadline';
import { isStatus } from './kube.ts';

/** Someone else changed the object between our read and our write; ours was not applied. */
export class SwitchConflictError extends ExpeditorError {
  constructor(message: string, unchanged: string, next: string) {
    super(message, { unchanged, next });
    this.name = 'SwitchConflictError';
  }
}

interface Versioned {
  metadata?: { resourceVersion?: string; annotations?: Record<string, string> };
}

export interface GuardedPatch<T extends Versioned> {
  /** The version the decision was made on. */
  resourceVersion: string;
  /** A merge patch, without the resourceVersion (added here). */
  patch: { metadata?: Record<string, unknown>; [key: string]: unknown };
  send(body: object): Promise<T>;
  read(): Promise<T | undefined>;
  /** True when `fresh` already carries this very write (an earlier attempt whose answer was lost). */
  landed(fresh: T): boolean;
  /** The error for a lost race, given the object as it is now. */
  conflict(fresh: T | undefined): SwitchConflictError;
  signal?: AbortSignal | undefined;
}

/** Sends the guarded patch; retries only dropped connections, throttling and 5xx. */
export async function guardedPatch<T extends Versioned>(g: GuardedPatch<T>): Promise<T> {
  const body = { ...g.patch, metadata: { ...g.patch.metadata, resourceVersion: g.resourceVersion } };
  for (let attempt = 1; ; attempt++) {
    // A run cancelled before its write makes none; once sent, the request is not cut off
    // (the connection's requests outlive the signal) so the caller knows whether it landed.
    throwIfAborted(g.signal);
    try {
      return await g.send(body);
    } catch (error) {
      if (isStatus(error, 409)) {
        const fresh = await g.read();
        // After a retry, a conflict may be our own first attempt that did land.
        if (attempt > 1 && fresh && g.landed(fresh)) return fresh;
        throw g.conflict(fresh);
      }
      if (attempt >= 4 || !isRetryable(error)) throw error;
      await sleep(100 * 2 ** attempt, g.signal);
    }
  }
}
