// Loads and validates the environment file. Every problem is reported at once with the key's
// path and line; unknown keys are errors. No action parses the file itself.
import { LineCounter, parseDocument } from 'yaml';
import { duplicateKeys } from './structured-file.ts';
import type { z } from 'zod';
import { ExpeditorError, ProblemsError } from './errors.ts';
import { quote } from './inputs.ts';
import { MiB, readUserFile, resolveUserPath } from './workspace-file.ts';
import {
  analysisSchema,
  configSchema,
  type AnalysisConfig,
  type EnvironmentConfig,
  type ExpeditorConfig,
  maxEnvironments,
} from './config-schema.ts';

export type { ExpeditorConfig, EnvironmentConfig, EcsConfig, EksConfig, AnalysisConfig, AnalysisCheckConfig } from './config-schema.ts';

export class ConfigError extends ExpeditorError {
  readonly line: number | undefined;
  constructor(file: string, key: string, problem: string, line?: number) {
    super(`${file}${line ? `:${line}` : ''}: ${key ? `${key}: ` : ''}${problem}`, {
      key: key || undefined,
      unchanged: 'nothing was changed',
      next: `fix ${key || 'the file'} in ${file}`,
    });
    this.name = 'ConfigError';
    this.line = line;
  }
}

/** The line of the deepest node of `path` that exists in the document: an unknown key's parent, say. */
function lineOfKey(doc: ReturnType<typeof parseDocument>, lineCounter: LineCounter, path: PropertyKey[]): number | undefined {
  for (let n = path.length; n >= 0; n--) {
    const node = doc.getIn(path.slice(0, n) as unknown[], true) as { range?: [number, number, number] } | undefined;
    if (node?.range) return lineCounter.linePos(node.range[0]).line;
  }
  return undefined;
}

/** Parses and validates the text of an environment file; `file` is only used in messages. */
export function parseConfig(text: string, file: string): ExpeditorConfig {
  const lineCounter = new LineCounter();
  // yaml's own uniqueKeys check is quadratic (4 s for 20,000 keys): duplicates are found below in one pass.
  const doc = parseDocument(text, { lineCounter, prettyErrors: true, uniqueKeys: false });
  if (doc.errors.length > 0) {
    throw new ProblemsError(
      `${file} is not valid YAML`,
      doc.errors.map((e) => new ConfigError(file, '', e.message.split('\n')[0] ?? e.message, e.linePos?.[0].line)),
    );
  }
  const duplicates = duplicateKeys(doc, lineCounter).map((d) => new ConfigError(file, '', d.message, d.line));
  if (duplicates.length > 0) throw new ProblemsError(`${file} is not valid YAML`, duplicates);
  let data: unknown;
  try {
    // yaml stops an alias bomb (many aliases of aliases) with a ReferenceError: name the file instead.
    data = doc.toJS({ maxAliasCount: 100 });
  } catch (error) {
    throw new ExpeditorError(`${file} has too many YAML aliases to expand (more than 100): refusing it`, {
      input: 'config',
      key: undefined,
      cause: error,
      unchanged: 'nothing was changed',
      next: `write the values out in ${file} instead of nesting aliases`,
    });
  }
  // Counted before validating: 20,000 environments would take seconds and hundreds of MB to check.
  const environments = (data as { environments?: unknown } | null)?.environments;
  if (environments && typeof environments === 'object') {
    const count = Object.keys(environments).length;
    if (count > maxEnvironments) {
      const problem = new ConfigError(
        file,
        'environments',
        `has ${count} environments, more than ${maxEnvironments}`,
        lineOfKey(doc, lineCounter, ['environments']),
      );
      throw new ProblemsError(`${file} has 1 problem`, [problem]);
    }
  }
  const result = configSchema.safeParse(data, { reportInput: true });
  if (result.success) return result.data;
  const lineOf = (path: PropertyKey[]): number | undefined => lineOfKey(doc, lineCounter, path);
  const problems = result.error.issues.map((issue) => toConfigError(file, issue, lineOf));
  problems.sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
  throw new ProblemsError(`${file} has ${problems.length} problems`, problems);
}

function toConfigError(file: string, issue: z.core.$ZodIssue, lineOf: (path: PropertyKey[]) => number | undefined): ConfigError {
  const key = issue.path.map(String).join('.');
  if (issue.code === 'unrecognized_keys') {
    const keys = issue.keys;
    const where = key ? `${key}.` : '';
    return new ConfigError(
      file,
      keys.length === 1 ? `${where}${keys[0]}` : key,
      keys.length === 1 ? 'unknown key' : `unknown keys ${keys.map((k) => quote(k)).join(', ')}`,
      lineOf([...issue.path, keys[0] ?? '']),
    );
  }
  let problem = issue.message;
  if (issue.code === 'invalid_type' && issue.input === undefined) problem = `is required (${issue.expected})`;
  else if ('input' in issue && issue.input !== undefined && (typeof issue.input === 'string' || typeof issue.input === 'number')) {
    problem = `${problem}, got ${quote(String(issue.input))}`;
  }
  return new ConfigError(file, key, problem, lineOf(issue.path));
}

/** The environment file's rule: inside the workspace (links resolved), a regular file, at most 1 MiB. */
const configRule = (workspace: string) => ({ workspace, origin: { input: 'config' }, maxBytes: MiB });

/**
 * Reads and validates the environment file `file` (relative to the workspace); a missing file is an
 * error naming the input 'config'.
 */
export function loadConfig(workspace: string, file: string): ExpeditorConfig {
  if (!resolveUserPath(file, configRule(workspace)).exists) {
    throw new ExpeditorError(`environment file ${file} does not exist`, {
      input: 'config',
      unchanged: 'nothing was changed',
      next: "create it, point the 'config' input at it, or give the values as inputs",
    });
  }
  return parseConfig(readUserFile(file, configRule(workspace)), file);
}

/**
 * Whether the optional environment file is there. Only a plain absence is "no": a file that
 * exists but cannot be used (a link out of the workspace or to nothing, a directory) is an error,
 * so a promotion gate never fails open.
 */
export function configExists(workspace: string, file: string): boolean {
  return resolveUserPath(file, configRule(workspace)).exists;
}

/** The named environment, or an error listing the ones the file has. */
export function environmentOf(config: ExpeditorConfig, name: string, file: string): EnvironmentConfig {
  // Own keys only: `constructor` or `toString` is not an environment.
  const env = Object.hasOwn(config.environments, name) ? config.environments[name] : undefined;
  if (!env) {
    throw new ExpeditorError(`environment ${quote(name)} is not in ${file} (have: ${namesText(Object.keys(config.environments))})`, {
      input: 'environment',
      unchanged: 'nothing was changed',
    });
  }
  return env;
}

function namesText(names: readonly string[]): string {
  if (names.length === 0) return 'none';
  return names.length > 20 ? `${names.slice(0, 20).join(', ')} and ${names.length - 20} more` : names.join(', ');
}

/**
 * An action input holding an environment file's `analysis` section as YAML (or JSON): the same
 * schema, every problem reported at once, each naming the input and the key inside it.
 */
export function parseAnalysisInput(text: string, input: string): AnalysisConfig {
  const at = (key: string, problem: string): ExpeditorError =>
    new ExpeditorError(`input '${input}': ${key ? `${key}: ` : ''}${problem}`, {
      input,
      unchanged: 'nothing was changed',
      next: `fix ${key || 'the text'} in the '${input}' input (the same shape as an environment's analysis section)`,
    });
  const doc = parseDocument(text, { prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new ProblemsError(
      `input '${input}' is not valid YAML`,
      doc.errors.map((e) => at('', e.message.split('\n')[0] ?? e.message)),
    );
  }
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 100 });
  } catch (error) {
    throw at('', `cannot be read (${(error as Error).message})`);
  }
  const result = analysisSchema.safeParse(data, { reportInput: true });
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    // The file's wording, without its "<file>: <key>: " head.
    const error = toConfigError(input, issue, () => undefined);
    const key = error.key ?? '';
    return at(key, error.message.slice(`${input}: ${key ? `${key}: ` : ''}`.length));
  });
  throw new ProblemsError(`input '${input}' has ${problems.length} problems`, problems);
}
