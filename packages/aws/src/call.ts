// One AWS request: retried only when a retry can succeed (throttling, 5xx, dropped connections),
// and an AccessDenied turned into an error that names the IAM action and the resource, since that
// is what a person has to add to the role's policy. Console links live in clients.ts.
import { ExpeditorError, describeError } from '@expeditor/shared/errors';
import { classifyError, withRetry } from '@expeditor/shared/retry';
import type { Log } from '@expeditor/shared/log';
import type { CallBudget } from './call-budget.ts';

export interface CallContext {
  signal?: AbortSignal | undefined;
  log: Log;
  /** What stays as it was if this call fails, for the error (e.g. "nothing was registered"). */
  unchanged?: string;
  /** The wait's call budget: each attempt waits for room in it (or, when `urgent`, is only counted). */
  budget?: CallBudget | undefined;
  urgent?: boolean;
}

/**
 * The IAM action and resource AWS's AccessDenied message names ("… is not authorized to perform:
 * iam:PassRole on resource: arn:…"), which can be another than the call's own: a call can need a
 * second permission, as RegisterTaskDefinition needs iam:PassRole on the roles it passes.
 */
export function deniedIn(cause: unknown): { action: string; resource: string | undefined } | undefined {
  const message = typeof cause === 'object' && cause !== null && 'message' in cause ? String(cause.message) : '';
  const named = /not authorized to perform: ([\w-]+:[\w*]+)(?: on resource: (\S+))?/.exec(message);
  return named ? { action: named[1]!, resource: named[2] } : undefined;
}

/**
 * Errors that say the credentials themselves are not accepted (a bad or expired session token, a
 * wrong secret), not that the role lacks a permission: no policy change helps.
 */
const credentialErrors = new Set([
  'UnrecognizedClientException',
  'InvalidClientTokenId',
  'ExpiredToken',
  'ExpiredTokenException',
  'IncompleteSignature',
  'SignatureDoesNotMatch',
  'InvalidSignatureException',
  'MissingAuthenticationToken',
]);

export class AccessDeniedError extends ExpeditorError {
  readonly action: string;
  readonly resource: string;
  constructor(action: string, resource: string, cause: unknown, unchanged?: string) {
    const denied = deniedIn(cause);
    const other = denied && denied.action !== action ? denied : undefined;
    const badCredentials = credentialErrors.has(errorName(cause));
    super(
      `${action} on ${resource} was ${badCredentials ? 'refused: the credentials were not accepted' : 'denied'}: ${describeError(cause)}`,
      {
        cause,
        ...(unchanged ? { unchanged } : {}),
        next: badCredentials
          ? "the job's AWS credentials are invalid or expired: run assume-env earlier in this job (it exports fresh ones), and check that no later step or env: block overrides AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY or AWS_SESSION_TOKEN"
          : other
            ? `allow ${other.action}${other.resource ? ` on ${other.resource}` : ''} (${action} on ${resource} needs it) in the policy of the role this job uses (assume-env's role for the environment)`
            : `allow ${action} on ${resource} in the policy of the role this job uses (assume-env's role for the environment)`,
      },
    );
    this.name = 'AccessDeniedError';
    this.action = action;
    this.resource = resource;
  }
}

/**
 * Sends one request through `fn` (which gets the abort signal to pass to the SDK). `action` is the
 * IAM action (ecs:UpdateService), `resource` what it acts on, both for messages.
 */
export async function awsCall<T>(
  action: string,
  resource: string,
  fn: (abortSignal: AbortSignal | undefined) => Promise<T>,
  context: CallContext,
): Promise<T> {
  try {
    const { budget, signal } = context;
    const attempt = async (): Promise<T> => {
      if (budget && context.urgent) budget.charge();
      else if (budget) await budget.take(signal);
      return fn(signal);
    };
    return await withRetry(attempt, {
      ...(context.signal ? { signal: context.signal } : {}),
      retries: 6,
      onRetry: (error, attempt, delayMs) =>
        context.log.info(`${action}: ${describeError(error)}; retry ${attempt} in about ${Math.round(delayMs)} ms`),
    });
  } catch (error) {
    if (context.signal?.aborted) throw abortReasonOf(context.signal, error);
    if (classifyError(error) === 'access') throw new AccessDeniedError(action, resource, error, context.unchanged);
    throw error;
  }
}

function abortReasonOf(signal: AbortSignal, fallback: unknown): unknown {
  const reason: unknown = signal.reason;
  return reason instanceof Error ? reason : fallback;
}

/** The name of an AWS SDK error (e.g. ClusterNotFoundException), or ''. */
export function errorName(error: unknown): string {
  return typeof error === 'object' && error !== null && 'name' in error ? String((error as { name: unknown }).name) : '';
}
