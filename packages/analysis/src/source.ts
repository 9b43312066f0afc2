// What every provider of measurements offers: a look before any traffic moves (does the source
// know what the check names?) and one measurement. A measurement that cannot be taken throws:
// that is an error measurement (the source did not answer), never a failed one.
import type { Value } from './condition.ts';
import type { CheckArgs } from './template.ts';

export interface Measured {
  /** What the conditions read as `result`. */
  value: Value;
  /** The value as a person reads it in the log and the summary (no secrets). */
  shown: string;
}

export interface Source {
  /**
   * Before any traffic moves: throws an ExpeditorError naming the check's key when the source
   * refuses what the check asks (an alarm that does not exist, a query it cannot parse) or does
   * not answer. Resolves when a measurement can be taken.
   */
  verify(args: CheckArgs, signal: AbortSignal): Promise<void>;
  measure(args: CheckArgs, signal: AbortSignal): Promise<Measured>;
}

/** A URL for the log: no user or password, no query values (tokens travel there). */
export function shownUrl(url: string): string {
  try {
    const u = new URL(url);
    u.username = '';
    u.password = '';
    for (const key of [...u.searchParams.keys()]) u.searchParams.set(key, '…');
    return u.toString();
  } catch {
    return '(a URL that does not parse)';
  }
}

/** `url` without its user and password, and the Authorization header they stand for (fetch refuses them in the URL). */
export function splitCredentials(url: string): { url: string; headers: Record<string, string> } {
  const u = new URL(url);
  if (!u.username && !u.password) return { url, headers: {} };
  const basic = Buffer.from(`${decodeURIComponent(u.username)}:${decodeURIComponent(u.password)}`).toString('base64');
  u.username = '';
  u.password = '';
  return { url: u.toString(), headers: { authorization: `Basic ${basic}` } };
}

/** One line for a failed request: the cause's code or message, never the request. */
export function requestFailure(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (error as Error).message;
}
