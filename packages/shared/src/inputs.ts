// The input layer: the only code that reads action inputs. Every value is validated here, before
// any network call, and every problem names its input; all problems are reported together.
import { InputError, ProblemsError } from './errors.ts';
import { formatDuration, longestJobMs, parseDuration } from './deadline.ts';

export type Env = Readonly<Record<string, string | undefined>>;

interface Common {
  /** Throw "input 'x': is required" when empty. */
  required?: boolean;
  /** Hint printed after a problem with this input. */
  next?: string;
}

export interface StringRule extends Common {
  default?: string;
  /** The whole value must match. */
  pattern?: RegExp;
  /** What the pattern means, for the error: "expected <this>". */
  expected?: string;
  /** Allow several lines (build args, manifests). Still refuses workflow commands. */
  multiline?: boolean;
  maxLength?: number;
}

/** A value that would be read as a workflow command if it reached the log. */
const workflowCommand = /(^|\n)\s*::/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
const controlChars = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;

/** Why a value is unsafe to log, output or write to a file; undefined when it is fine. */
export function unsafeValueProblem(value: string, multiline = false): string | undefined {
  if (!multiline && /[\r\n]/.test(value)) return 'must be a single line';
  if (controlChars.test(value)) return 'contains a control character';
  if (workflowCommand.test(value)) return "must not contain a workflow command ('::')";
  return undefined;
}

/** The variable the runner passes an input in: INPUT_<NAME>, spaces as underscores. */
export function inputVariable(name: string): string {
  return `INPUT_${name.replace(/ /g, '_').toUpperCase()}`;
}

/** Input values as the runner passes them to a step (tests, benches and the sandbox run steps too). */
export function inputEnv(values: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(values).map(([name, value]) => [inputVariable(name), value]));
}

export class ActionInputs {
  private readonly problems: InputError[] = [];

  private readonly env: Env;
  constructor(env: Env) {
    this.env = env;
  }

  /** The raw value as GitHub passes it (INPUT_<NAME>), trimmed. */
  raw(name: string): string {
    return (this.env[inputVariable(name)] ?? '').trim();
  }

  problem(name: string, message: string, next?: string): undefined {
    this.problems.push(new InputError(name, message, next));
    return undefined;
  }

  string(name: string, rule: StringRule & { required: true }): string;
  string(name: string, rule: StringRule & { default: string }): string;
  string(name: string, rule?: StringRule): string | undefined;
  string(name: string, rule: StringRule = {}): string | undefined {
    const value = this.raw(name) || rule.default || '';
    if (!value) {
      return rule.required ? (this.problem(name, 'is required but was not given', rule.next) as never) : undefined;
    }
    const unsafe = unsafeValueProblem(value, rule.multiline);
    if (unsafe) return this.problem(name, unsafe, rule.next);
    if (rule.maxLength !== undefined && value.length > rule.maxLength) {
      return this.problem(name, `must be at most ${rule.maxLength} characters, got ${value.length}`, rule.next);
    }
    if (rule.pattern && !rule.pattern.test(value)) {
      return this.problem(name, `expected ${rule.expected ?? `a value matching ${rule.pattern}`}, got ${quote(value)}`, rule.next);
    }
    return value;
  }

  boolean(name: string, fallback: boolean): boolean {
    const value = this.raw(name).toLowerCase();
    if (!value) return fallback;
    if (['true', 'yes', '1', 'on'].includes(value)) return true;
    if (['false', 'no', '0', 'off'].includes(value)) return false;
    this.problem(name, `expected true or false, got ${quote(value)}`);
    return fallback;
  }

  integer(name: string, rule: { default?: number; min?: number; max?: number; required?: boolean } = {}): number | undefined {
    const value = this.raw(name);
    if (!value) {
      if (rule.required) return this.problem(name, 'is required but was not given');
      return rule.default;
    }
    // Decimal digits only: Number() would also take 0x50, 1e1 or 0b1010, and round past 2^53.
    const n = /^-?\d{1,16}$/.test(value) ? Number(value) : Number.NaN;
    if (!Number.isSafeInteger(n)) return this.problem(name, `expected a whole number in decimal digits, got ${quote(value)}`);
    if (rule.min !== undefined && n < rule.min) return this.problem(name, `must be at least ${rule.min}, got ${n}`);
    if (rule.max !== undefined && n > rule.max) return this.problem(name, `must be at most ${rule.max}, got ${n}`);
    return n;
  }

  /** A duration such as `30m`, `90s`, `1h30m` or a number of seconds; returns milliseconds. */
  duration(name: string, fallback: string): number {
    const value = this.raw(name) || fallback;
    const ms = parseDuration(value);
    if (ms === undefined || ms <= 0) {
      this.problem(name, `expected a duration such as 30m, 90s or 1h30m, got ${quote(value)}`);
      return parseDuration(fallback) ?? 0;
    }
    if (ms > longestJobMs) {
      this.problem(
        name,
        `${quote(value)} is longer than any job can run (${formatDuration(longestJobMs)} on a self-hosted runner, 6 h on a hosted one)`,
      );
      return parseDuration(fallback) ?? 0;
    }
    return ms;
  }

  choice<C extends string>(name: string, choices: readonly C[], fallback: C): C;
  choice<C extends string>(name: string, choices: readonly C[], fallback?: undefined): C | undefined;
  choice<C extends string>(name: string, choices: readonly C[], fallback?: C): C | undefined {
    const value = this.raw(name);
    if (!value) return fallback;
    if ((choices as readonly string[]).includes(value)) return value as C;
    this.problem(name, `expected one of ${choices.join(', ')}, got ${quote(value)}`);
    return fallback;
  }

  /** Items separated by commas or newlines, each validated as a single-line string. */
  list(name: string, rule: Omit<StringRule, 'multiline' | 'default' | 'required'> = {}): string[] {
    const value = this.raw(name);
    if (!value) return [];
    const items = value
      .split(/[,\n]/)
      .map((s) => s.trim())
      .filter(Boolean);
    const out: string[] = [];
    for (const item of items) {
      const unsafe = unsafeValueProblem(item);
      if (unsafe) this.problem(name, unsafe);
      else if (rule.pattern && !rule.pattern.test(item)) {
        this.problem(name, `expected ${rule.expected ?? `items matching ${rule.pattern}`}, got ${quote(item)}`);
      } else out.push(item);
    }
    return out;
  }

  /** `KEY=VALUE` lines (build args, variables). */
  keyValues(name: string): Record<string, string> {
    const out: Record<string, string> = {};
    const value = this.raw(name);
    if (!value) return out;
    for (const line of value
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean)) {
      const eq = line.indexOf('=');
      const key = eq > 0 ? line.slice(0, eq).trim() : '';
      if (!/^[A-Za-z_][A-Za-z0-9_.-]*$/.test(key)) {
        this.problem(name, `expected KEY=VALUE lines, got ${quote(line)}`);
        continue;
      }
      const unsafe = unsafeValueProblem(line);
      if (unsafe) this.problem(name, `${key}: ${unsafe}`);
      else out[key] = line.slice(eq + 1);
    }
    return out;
  }

  /** Throws every problem found so far, together, naming each input. */
  done(action: string): void {
    if (this.problems.length > 0) {
      throw new ProblemsError(`${this.problems.length} problems with the inputs of ${action}`, this.problems);
    }
  }
}

/** A value quoted for an error message, cut short and with unprintable characters shown. */
export function quote(value: string): string {
  const shown = JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value);
  return shown.replace(/::/g, ':\u200b:');
}

/** The inputs of the running action (read from the runner's environment). */
export function actionInputs(): ActionInputs {
  return new ActionInputs(process.env);
}

/** The runner's environment, for readGitHubContext and the AWS/Kubernetes edges. */
export function runnerEnv(): Env {
  return process.env;
}
