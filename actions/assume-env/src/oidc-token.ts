// The job's GitHub OIDC token, requested the way the runner expects (bearer request token,
// `audience` query parameter), retried only on what can succeed on retry, masked on arrival.
// node:http rather than fetch: fetch loads its HTTP stack on first use (~35 ms of a cold start,
// the AWS SDK does not use it), and rather than @actions/core's getIDToken, which reads the
// environment itself, retries 5xx up to 10 times and cannot be cut short by the run's deadline.
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { describeError } from '@expeditor/shared/errors';
import type { Log } from '@expeditor/shared/log';
import { agentFor } from '@expeditor/shared/proxy-agents';
import { withRetry } from '@expeditor/shared/retry';

export interface TokenRequest {
  requestUrl: string;
  requestToken: string;
  audience: string;
  signal: AbortSignal;
  log: Log;
  /** Retries after the first try. */
  retries?: number;
  /** Called once a try's request has been written to the socket. */
  onSent?: () => void;
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
      const headers = { authorization: `Bearer ${request.requestToken}`, accept: 'application/json' };
      const response = await get(url, headers, request.signal, request.onSent);
      const text = response.body;
      if (response.status < 200 || response.status > 299) {
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

/** One GET, its body as text; aborts with the signal (the error's name is AbortError). */
function get(
  url: string,
  headers: Record<string, string>,
  signal: AbortSignal,
  onSent?: () => void,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const send = url.startsWith('https:') ? httpsRequest : httpRequest;
    // Behind a proxy (HTTPS_PROXY, NO_PROXY) the request tunnels through it, as the runner's own do.
    const agent = agentFor(url);
    const req = send(url, { method: 'GET', headers, signal, ...(agent ? { agent } : {}) }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    if (onSent) req.on('finish', onSent);
    req.end();
  });
}
