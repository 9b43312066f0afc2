// The job's GitHub OIDC token, requested the way the runner expects (bearer request token,
// `audience` query parameter), retried only on what can succeed on retry, masked on arrival.
import { describeError } from '@expeditor/shared/errors';
import type { Log } from '@expeditor/shared/log';
import { withRetry } from '@expeditor/shared/retry';

export interface TokenRequest {
  requestUrl: string;
  requestToken: string;
  audience: string;
  signal: AbortSignal;
  log: Log;
  /** Retries after the first try. */
  retries?: number;
}

/** A failed token request; statusCode lets retry.ts tell a 5xx from a refusal. */
export class TokenRequestError extends Error {
  readonly statusCode: number;
  constructor(statusCode: number, message: string) {
    super(message);
    this.name = 'TokenRequestError';
    this.statusCode = statusCode;
  }
}

export function tokenUrl(requestUrl: string, audience: string): string {
  const url = new URL(requestUrl);
  url.searchParams.set('audience', audience);
  return url.toString();
}

export async function requestIdToken(request: TokenRequest): Promise<string> {
  request.log.mask(request.requestToken);
  const url = tokenUrl(request.requestUrl, request.audience);
  return withRetry(
    async () => {
      const response = await fetch(url, {
        headers: { authorization: `Bearer ${request.requestToken}`, accept: 'application/json' },
        signal: request.signal,
      });
      const text = await response.text();
      if (!response.ok) {
        throw new TokenRequestError(response.status, `the OIDC token request answered HTTP ${response.status}${bodyMessage(text)}`);
      }
      let value: unknown;
      try {
        value = (JSON.parse(text) as { value?: unknown }).value;
      } catch {
        value = undefined;
      }
      if (typeof value !== 'string' || !value) throw new TokenRequestError(502, 'the OIDC token response has no token in its "value"');
      // Masked before anything else can print it.
      request.log.mask(value);
      return value;
    },
    {
      signal: request.signal,
      retries: request.retries ?? 3,
      onRetry: (error, attempt, delayMs) =>
        request.log.info(`OIDC token request failed (${describeError(error)}); try ${attempt + 1} in ${Math.round(delayMs)} ms`),
    },
  );
}

function bodyMessage(text: string): string {
  try {
    const message = (JSON.parse(text) as { message?: unknown }).message;
    if (typeof message === 'string' && message) return `: ${message.split('\n', 1)[0]?.slice(0, 200)}`;
  } catch {
    // not JSON: say nothing rather than echo a page
  }
  return '';
}
