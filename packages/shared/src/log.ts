// Logging as the actions do it: groups, annotations naming the input or config key at fault,
// one line per state change, and masking of every credential before it is first used.

export interface Where {
  /** The action input at fault. */
  input?: string;
  /** The config-file key at fault, with the file. */
  key?: string;
  file?: string;
}

export interface Log {
  info(line: string): void;
  debug(line: string): void;
  warning(message: string, where?: Where): void;
  error(message: string, where?: Where): void;
  /** Runs `fn` inside a collapsible group (not nested: Actions has one level). */
  group<T>(name: string, fn: () => Promise<T>): Promise<T>;
  /** Registers a secret: from now on it never reaches the log. Call before first use. */
  mask(secret: string): void;
}

export function annotationTitle(where: Where | undefined): string | undefined {
  if (!where) return undefined;
  if (where.input) return `input '${where.input}'`;
  if (where.key) return where.file ? `${where.file}: ${where.key}` : where.key;
  return undefined;
}

/**
 * Prints a line only when it differs from the last one printed for the same subject, so a wait
 * logs each change of state once however often it polls or however many watch events arrive.
 */
export class ChangeLog {
  private readonly last = new Map<string, string>();
  private readonly log: Pick<Log, 'info'>;
  constructor(log: Pick<Log, 'info'>) {
    this.log = log;
  }

  /** Returns true when the line was new and printed. */
  report(subject: string, line: string): boolean {
    if (this.last.get(subject) === line) return false;
    this.last.set(subject, line);
    this.log.info(line);
    return true;
  }
}

/** A Log for the CLI, the sandbox and benches: plain lines on a stream, secrets replaced. */
export function consoleLog(write: (text: string) => void = (t) => process.stderr.write(t)): Log {
  const secrets = new Set<string>();
  const scrub = (text: string): string => {
    let out = text;
    for (const s of secrets) out = out.split(s).join('***');
    return out;
  };
  let depth = 0;
  const line = (text: string): void => write(`${'  '.repeat(depth)}${scrub(text)}\n`);
  return {
    info: line,
    debug: () => undefined,
    warning: (message, where) => line(`warning${titleSuffix(where)}: ${message}`),
    error: (message, where) => line(`error${titleSuffix(where)}: ${message}`),
    async group(name, fn) {
      line(`▸ ${name}`);
      depth++;
      try {
        return await fn();
      } finally {
        depth--;
      }
    },
    mask(secret) {
      if (secret) secrets.add(secret);
    },
  };
}

function titleSuffix(where: Where | undefined): string {
  const title = annotationTitle(where);
  return title ? ` (${title})` : '';
}

/** A Log that keeps every line, for tests and for callers that print later. */
export function memoryLog(): Log & { readonly lines: string[] } {
  const lines: string[] = [];
  const log = consoleLog((text) => lines.push(text.replace(/\n$/, '')));
  return Object.assign(log, { lines });
}
