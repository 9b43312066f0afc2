// Errors a person can act on: what happened, what was left unchanged, what to do next, and the
// input or config key at fault. SDK and Kubernetes errors are turned into one readable line.

export interface ExpeditorErrorDetails {
  /** What was left as it was, e.g. "the live color (blue) still serves traffic". */
  unchanged?: string;
  /** What the user can do next. */
  next?: string;
  /** The action input at fault, e.g. "cluster". */
  input?: string;
  /** The config-file key at fault, e.g. "environments.prod.aws.account". */
  key?: string;
  cause?: unknown;
}

export class ExpeditorError extends Error {
  readonly unchanged: string | undefined;
  readonly next: string | undefined;
  readonly input: string | undefined;
  readonly key: string | undefined;

  constructor(message: string, details: ExpeditorErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'ExpeditorError';
    this.unchanged = details.unchanged;
    this.next = details.next;
    this.input = details.input;
    this.key = details.key;
  }
}

/** Where a value came from (an action input or an environment-file key), so errors name what to fix. */
export interface Origin {
  input?: string | undefined;
  key?: string | undefined;
}

/** `input 'x'` or the key, for the start of a message; '' when the origin names neither. */
export function originText(origin: Origin): string {
  return origin.input ? `input '${origin.input}'` : (origin.key ?? '');
}

/** An error at an input or key: the message starts with where, and the error carries it. */
export function originError(
  origin: Origin,
  message: string,
  details: { unchanged: string; next?: string | undefined; cause?: unknown },
): ExpeditorError {
  const at = originText(origin);
  return new ExpeditorError(at ? `${at}: ${message}` : message, {
    ...(origin.input ? { input: origin.input } : {}),
    ...(origin.key ? { key: origin.key } : {}),
    unchanged: details.unchanged,
    ...(details.next ? { next: details.next } : {}),
    ...(details.cause !== undefined ? { cause: details.cause } : {}),
  });
}

/** Bad input: raised before any network call, names the input. */
export class InputError extends ExpeditorError {
  constructor(input: string, problem: string, next?: string) {
    super(`input '${input}': ${problem}`, { input, next, unchanged: 'nothing was changed' });
    this.name = 'InputError';
  }
}

/** Several problems found at once (all inputs, or all config keys), reported together. */
export class ProblemsError extends ExpeditorError {
  readonly problems: readonly ExpeditorError[];
  constructor(summary: string, problems: readonly ExpeditorError[]) {
    const first = problems[0];
    super(problems.length === 1 && first ? first.message : `${summary}:\n${problems.map((p) => `  - ${p.message}`).join('\n')}`, {
      unchanged: 'nothing was changed',
      input: first?.input,
      key: first?.key,
      next: first?.next,
    });
    this.name = 'ProblemsError';
    this.problems = problems;
  }
}

interface SdkLikeError {
  name?: string;
  Code?: string;
  code?: string | number;
  message?: string;
  $metadata?: { httpStatusCode?: number; requestId?: string };
  $fault?: 'client' | 'server';
  statusCode?: number;
  body?: unknown;
}

/**
 * One line for any error: `Name (HTTP 403): message`, with the Kubernetes Status message when the
 * error carries one. Never a JSON dump.
 */
export function describeError(error: unknown): string {
  if (error instanceof ExpeditorError) return error.message;
  if (!(error instanceof Error) && (typeof error !== 'object' || error === null)) return String(error);
  const e = error as SdkLikeError;
  const name = e.name && e.name !== 'Error' ? e.name : (e.Code ?? (typeof e.code === 'string' ? e.code : undefined));
  const status = e.$metadata?.httpStatusCode ?? (typeof e.code === 'number' ? e.code : e.statusCode);
  let message = kubernetesStatusMessage(e.body) ?? firstLine(e.message ?? '');
  if (name && message.startsWith(`${name}:`)) message = message.slice(name.length + 1).trim();
  const head = [name, status ? `(HTTP ${status})` : undefined].filter(Boolean).join(' ');
  return head ? `${head}: ${message || 'no message'}` : message || 'unknown error';
}

function kubernetesStatusMessage(body: unknown): string | undefined {
  if (typeof body === 'string') {
    try {
      return kubernetesStatusMessage(JSON.parse(body) as unknown);
    } catch {
      return undefined;
    }
  }
  if (body && typeof body === 'object' && 'message' in body && typeof body.message === 'string') {
    const reason = 'reason' in body && typeof body.reason === 'string' ? `${body.reason}: ` : '';
    return `${reason}${body.message}`;
  }
  return undefined;
}

function firstLine(text: string): string {
  // SDK messages are one line; k8s client errors append the whole response. Keep the first line.
  const line = text.split('\n', 1)[0] ?? '';
  return line.length > 400 ? `${line.slice(0, 400)}…` : line;
}

/** The full text a failed run prints: the message, then what was left unchanged and what next. */
export function formatFailure(error: unknown): string {
  const lines = [describeError(error)];
  if (error instanceof ExpeditorError) {
    if (error.unchanged) lines.push(`Unchanged: ${error.unchanged}.`);
    if (error.next) lines.push(`Next: ${error.next}`);
  }
  return lines.join('\n');
}
