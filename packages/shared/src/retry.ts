// Retry by error kind: throttling, 5xx and dropped connections can succeed on a later try;
// access and validation errors never will, so they fail at once.
import pRetry from 'p-retry';

export type ErrorKind = 'throttling' | 'server' | 'network' | 'access' | 'validation' | 'cancelled' | 'other';

const throttlingNames = new Set([
  'Throttling',
  'ThrottlingException',
  'ThrottledException',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'RequestThrottled',
  'RequestThrottledException',
  'SlowDown',
  'ProvisionedThroughputExceededException',
  'LimitExceededException',
  'PriorRequestNotComplete',
  'BandwidthLimitExceeded',
  'EC2ThrottledException',
  'TransactionInProgressException',
  'IDPCommunicationError',
  'IDPCommunicationErrorException',
]);
const accessNames = new Set([
  'AccessDenied',
  'AccessDeniedException',
  'UnauthorizedOperation',
  'UnrecognizedClientException',
  'InvalidClientTokenId',
  'ExpiredToken',
  'ExpiredTokenException',
  'InvalidIdentityToken',
  'InvalidIdentityTokenException',
  'IncompleteSignature',
  'SignatureDoesNotMatch',
  'Forbidden',
  'Unauthorized',
  'AuthFailure',
  'MissingAuthenticationToken',
]);
const networkCodes = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'ENOTFOUND',
  'ECONNABORTED',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_CLOSED',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
]);

interface ErrorFields {
  name?: string;
  code?: unknown;
  Code?: unknown;
  statusCode?: unknown;
  $metadata?: { httpStatusCode?: number };
  $retryable?: { throttling?: boolean };
  cause?: unknown;
}

/** What kind of failure this is, from its name, code and HTTP status (AWS SDK, Kubernetes, fetch). */
export function classifyError(error: unknown): ErrorKind {
  if (typeof error !== 'object' || error === null) return 'other';
  const e = error as ErrorFields;
  if (e.name === 'AbortError') return 'cancelled';
  const name = String(e.name ?? e.Code ?? '');
  const code = typeof e.code === 'string' ? e.code : String(e.Code ?? '');
  const status =
    e.$metadata?.httpStatusCode ?? (typeof e.statusCode === 'number' ? e.statusCode : typeof e.code === 'number' ? e.code : undefined);
  if (e.$retryable?.throttling || throttlingNames.has(name) || throttlingNames.has(code) || status === 429) {
    return 'throttling';
  }
  if (accessNames.has(name) || accessNames.has(code) || status === 401 || status === 403) return 'access';
  if (networkCodes.has(code) || networkCodes.has(name)) return 'network';
  if (status !== undefined && status >= 500) return 'server';
  if (status !== undefined && status >= 400) return 'validation';
  if (name.endsWith('ValidationException') || name === 'ValidationError' || name === 'InvalidParameterException') {
    return 'validation';
  }
  // fetch() wraps socket errors: `TypeError: fetch failed` with the real one as the cause.
  if (e.cause && e.cause !== error) {
    const inner = classifyError(e.cause);
    if (inner === 'network') return inner;
  }
  // undici says `fetch failed` only when the transport failed, whatever the cause (a TLS socket
  // closed during the handshake has none of the codes above); client-node prefixes its own words.
  if (name === 'TypeError' && /fetch failed/.test(String((error as { message?: unknown }).message ?? ''))) return 'network';
  return 'other';
}

export function isRetryable(error: unknown): boolean {
  const kind = classifyError(error);
  return kind === 'throttling' || kind === 'server' || kind === 'network';
}

export interface RetryOptions {
  signal?: AbortSignal;
  /** Retries after the first try (default 4). */
  retries?: number;
  minDelayMs?: number;
  maxDelayMs?: number;
  /** Called before each retry, e.g. to log one line. */
  onRetry?: (error: unknown, attempt: number, delayMs: number) => void;
}

/**
 * p-retry gives up at once on a TypeError it does not know as a network error, and it knows only
 * fetch's exact messages: client-node rewords them ("Failed to fetch resource metadata …: fetch
 * failed"). Such an error travels through p-retry in this wrapper and comes out as it was.
 */
class CarriedError extends Error {
  readonly carried: unknown;
  constructor(carried: unknown) {
    super('retryable error');
    this.carried = carried;
  }
}
const unwrap = (error: unknown): unknown => (error instanceof CarriedError ? error.carried : error);

/** Runs `fn`, retrying only retryable errors with jittered exponential backoff. */
export function withRetry<T>(fn: (attempt: number) => Promise<T>, options: RetryOptions = {}): Promise<T> {
  const minTimeout = options.minDelayMs ?? 250;
  const attempt = async (n: number): Promise<T> => {
    try {
      return await fn(n);
    } catch (error) {
      throw error instanceof TypeError && isRetryable(error) ? new CarriedError(error) : error;
    }
  };
  return pRetry(attempt, {
    retries: options.retries ?? 4,
    minTimeout,
    maxTimeout: options.maxDelayMs ?? 8000,
    factor: 2,
    randomize: true,
    ...(options.signal ? { signal: options.signal } : {}),
    shouldRetry: (context) => isRetryable(unwrap(context.error)),
    onFailedAttempt: (context) => {
      const error = unwrap(context.error);
      if (context.retriesLeft > 0 && isRetryable(error)) {
        options.onRetry?.(error, context.attemptNumber, minTimeout * 2 ** (context.attemptNumber - 1));
      }
    },
  }).catch((error: unknown) => {
    throw unwrap(error);
  });
}
