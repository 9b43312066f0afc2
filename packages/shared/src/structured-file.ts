// Users' JSON and YAML files (task definitions, AppSpecs): parsed with the line of every node kept,
// so a problem found later names `file:line: key`. JSON is read as YAML (its superset) for the
// positions; tabs, which JSON allows as whitespace and YAML not as indentation, become spaces
// first (a tab inside a JSON string is invalid JSON anyway, so no value changes).
import { type Document, isScalar, LineCounter, parseDocument, visit } from 'yaml';
import type { z } from 'zod';
import { quote } from './inputs.ts';

export interface StructuredProblem {
  /** Dotted path of the key, e.g. `containerDefinitions.0.portMappings`; empty for the whole file. */
  path: string;
  message: string;
  line: number | undefined;
}

export interface StructuredDocument {
  data: unknown;
  /** The line of the deepest node of `path` that exists (an unknown key's parent, say). */
  lineOf(path: readonly PropertyKey[]): number | undefined;
}

/** A parsed file, or the problems that stop it being read (syntax, duplicate keys, alias bombs, several documents). */
export function parseStructured(
  text: string,
): { document: StructuredDocument; problems: [] } | { document: undefined; problems: StructuredProblem[] } {
  // Editors on Windows save a byte-order mark; JSON.parse and YAML both choke on it.
  const body = text.startsWith('\uFEFF') ? text.slice(1) : text;
  const json = /^\s*[{[]/.test(body);
  const source = json ? body.replaceAll('\t', ' ') : body;
  const lineCounter = new LineCounter();
  // Duplicate keys are found below in one pass (yaml's own check is quadratic).
  const doc = parseDocument(source, { lineCounter, prettyErrors: false, uniqueKeys: false });
  if (doc.errors.length > 0) {
    return {
      document: undefined,
      problems: doc.errors.map((e) => ({
        path: '',
        message: `not valid ${json ? 'JSON' : 'YAML or JSON'}: ${e.message.split('\n')[0] ?? e.message}`,
        line: e.linePos?.[0].line ?? lineCounter.linePos(e.pos[0]).line,
      })),
    };
  }
  const duplicates = duplicateKeys(doc, lineCounter);
  if (duplicates.length > 0) return { document: undefined, problems: duplicates };
  let data: unknown;
  try {
    // yaml stops an alias bomb (aliases of aliases) with a ReferenceError.
    data = doc.toJS({ maxAliasCount: 100 });
  } catch {
    return {
      document: undefined,
      problems: [{ path: '', message: 'has too many YAML aliases to expand (more than 100)', line: undefined }],
    };
  }
  const lineOf = (path: readonly PropertyKey[]): number | undefined => {
    for (let n = path.length; n >= 0; n--) {
      const node = doc.getIn(path.slice(0, n) as unknown[], true) as { range?: [number, number, number] } | undefined;
      if (node?.range) return lineCounter.linePos(node.range[0]).line;
    }
    return undefined;
  };
  return { document: { data, lineOf }, problems: [] };
}

/** Keys given twice in one map, found in one pass (yaml's own uniqueKeys check is quadratic). */
export function duplicateKeys(doc: Document, lineCounter: LineCounter): StructuredProblem[] {
  const duplicates: StructuredProblem[] = [];
  visit(doc, {
    Map(_, map) {
      const seen = new Set<unknown>();
      for (const pair of map.items) {
        const key = isScalar(pair.key) ? pair.key.value : pair.key;
        if (seen.has(key)) {
          const range = isScalar(pair.key) ? pair.key.range : undefined;
          duplicates.push({
            path: '',
            message: `the key ${quote(String(key))} appears twice in one map`,
            line: range ? lineCounter.linePos(range[0]).line : undefined,
          });
        }
        seen.add(key);
      }
    },
  });
  return duplicates;
}

/** What a value is, for "expected X, got Y". */
export function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'string') return `the string ${quote(value.length > 60 ? `${value.slice(0, 57)}…` : value)}`;
  if (typeof value === 'object') return 'an object';
  return `${typeof value} ${String(value)}`;
}

/**
 * Zod issues as problems a person can act on: a missing key is "is required", a wrong type says
 * what it got, an enum lists what it accepts, an unknown key is named. Parse with
 * `{ reportInput: true }` so wrong types are not mistaken for missing keys.
 */
export function schemaProblems(
  issues: readonly z.core.$ZodIssue[],
  lineOf: (path: readonly PropertyKey[]) => number | undefined,
): StructuredProblem[] {
  const problems = issues.map((issue): StructuredProblem => {
    const path = issue.path.map(String).join('.');
    switch (issue.code) {
      case 'unrecognized_keys':
        return {
          path,
          message: `unknown ${issue.keys.length === 1 ? 'key' : 'keys'} ${issue.keys.map((k) => quote(k)).join(', ')}`,
          line: lineOf([...issue.path, issue.keys[0] ?? '']),
        };
      case 'invalid_type':
        return {
          path,
          message: issue.input === undefined ? `is required (${issue.expected})` : `expected ${issue.expected}, got ${kindOf(issue.input)}`,
          line: lineOf(issue.path),
        };
      case 'invalid_value':
        return {
          path,
          message: `expected ${issue.values.map((v) => quote(String(v))).join(', ')}, got ${kindOf(issue.input)}`,
          line: lineOf(issue.path),
        };
      default:
        return { path, message: issue.message, line: lineOf(issue.path) };
    }
  });
  return problems.sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
}
