// From an environment file's `analysis` section (or the same text given as an input) to checks
// ready to run. Everything that can be judged without a network call is judged here, before any
// client is made: conditions parse, placeholders are known, durations read, each provider has what
// it needs. Every problem names the key (environments.prod.analysis.checks.0.success) or the input.
import type { AnalysisCheckConfig, AnalysisConfig } from '@expeditor/shared/config';
import { type ExpeditorError, type Origin, originError, ProblemsError } from '@expeditor/shared/errors';
import { parseDuration } from '@expeditor/shared/deadline';
import { type Condition, ConditionSyntaxError, parseCondition } from './condition.ts';
import { placeholderProblem } from './template.ts';
import type { Limits } from './verdict.ts';

export type Moment = 'pre' | 'step' | 'post';
export const moments: readonly Moment[] = ['pre', 'step', 'post'];

export interface MetricStatSpec {
  namespace: string;
  name: string;
  dimensions: Record<string, string>;
  stat: string;
  period: number;
}

export type SourceSpec =
  | { provider: 'cloudwatch-alarm'; alarms: readonly string[] }
  | {
      provider: 'cloudwatch-metric';
      /** A single metric, or the metrics an expression reads (by id). */
      metrics: Readonly<Record<string, MetricStatSpec>>;
      /** Metric math over `metrics`; without it the one metric's value is the result. */
      expression: string | undefined;
      lookbackMs: number;
    }
  | { provider: 'prometheus'; address: string; query: string }
  | { provider: 'http'; url: string; timeoutMs: number };

export interface CheckPlan {
  name: string;
  /** Where the check was given: errors about it name this (and the field under it). */
  origin: CheckOrigin;
  at: readonly Moment[];
  source: SourceSpec;
  success: Condition | undefined;
  failure: Condition | undefined;
  intervalMs: number;
  limits: Limits;
}

/** Where a check was given: a key of the environment file, or the input and the path inside its text. */
export interface CheckOrigin {
  /** An error at one field of the check (or at the check), naming the key, or the input and the path in it. */
  error(
    field: string | undefined,
    message: string,
    details: { unchanged: string; next?: string | undefined; cause?: unknown },
  ): ExpeditorError;
}

export const defaults = { intervalMs: 10_000, count: 3, failureLimit: 0, inconclusiveLimit: 0, consecutiveErrorLimit: 4 };

/** The least time `moment` takes: the longest of its checks' (count - 1) × interval (0 without any). */
export function windowOf(plans: readonly CheckPlan[], moment: Moment): number {
  return Math.max(0, ...plans.filter((p) => p.at.includes(moment)).map((p) => (p.limits.count - 1) * p.intervalMs));
}
const defaultPeriod = 60;
const defaultLookbackMs = 5 * 60_000;
const defaultHttpTimeoutMs = 10_000;
/** What a check passes by when it gives no condition, for the providers whose result has an obvious meaning. */
const implied: Partial<Record<SourceSpec['provider'], string>> = {
  'cloudwatch-alarm': 'result == 0',
  http: 'result >= 200 && result < 300',
};

/**
 * The checks of an analysis section. `where` is where the section was found: a key of the file
 * (`environments.prod.analysis`) or an input (`analysis`), so errors point there.
 */
export function planAnalysis(config: AnalysisConfig, where: { key: string } | { input: string }): CheckPlan[] {
  const problems: ExpeditorError[] = [];
  const names = new Set<string>();
  const checks: CheckPlan[] = [];
  for (const [index, check] of config.checks.entries()) {
    const origin = checkOrigin(where, `checks.${index}`);
    const problem = (field: string, message: string, next?: string): void => {
      problems.push(origin.error(field, message, { unchanged: 'nothing was changed', next }));
    };
    if (names.has(check.name)) problem('name', `another check is also named ${check.name}: names must differ (they label the results)`);
    names.add(check.name);
    const condition = (field: 'success' | 'failure'): Condition | undefined => {
      const text = check[field] ?? (field === 'success' && check.failure === undefined ? implied[check.provider] : undefined);
      if (text === undefined) return undefined;
      try {
        return parseCondition(text);
      } catch (error) {
        if (!(error instanceof ConditionSyntaxError)) throw error;
        problem(field, `${JSON.stringify(text)} ${error.message}`, 'write a condition on result, e.g. result >= 0.95 or result[0] < 5');
        return undefined;
      }
    };
    const success = condition('success');
    const failure = condition('failure');
    if (!check.success && !check.failure && !implied[check.provider]) {
      problem('success', `is required for a ${check.provider} check (or give failure): without a condition every value would pass`);
    }
    const interval = check.interval === undefined ? defaults.intervalMs : parseDuration(check.interval);
    if (interval === undefined || interval < 100) problem('interval', `expected a duration of at least 100ms, got ${check.interval}`);
    const source = sourceSpec(check, problem);
    checks.push({
      name: check.name,
      origin,
      at: check.at ?? moments,
      source,
      success,
      failure,
      intervalMs: interval ?? defaults.intervalMs,
      limits: {
        count: check.count ?? defaults.count,
        failureLimit: check['failure-limit'] ?? defaults.failureLimit,
        inconclusiveLimit: check['inconclusive-limit'] ?? defaults.inconclusiveLimit,
        consecutiveErrorLimit: check['consecutive-error-limit'] ?? defaults.consecutiveErrorLimit,
      },
    });
  }
  if (problems.length > 0) throw new ProblemsError(`${problems.length} problems with the analysis checks`, problems);
  return checks;
}

export function checkOrigin(where: { key: string } | { input: string }, path: string): CheckOrigin {
  return {
    error(field, message, details) {
      const full = field ? `${path}.${field}` : path;
      // An input's text has no key of the file: the message says the path inside the input.
      const origin: Origin = 'key' in where ? { key: `${where.key}.${full}` } : { input: where.input };
      return originError(origin, 'key' in where ? message : `${full}: ${message}`, details);
    },
  };
}

function sourceSpec(check: AnalysisCheckConfig, problem: (field: string, message: string) => void): SourceSpec {
  const templated = (field: string, text: string): string => {
    const wrong = placeholderProblem(text);
    if (wrong) problem(field, wrong);
    return text;
  };
  switch (check.provider) {
    case 'cloudwatch-alarm':
      return { provider: 'cloudwatch-alarm', alarms: check.alarms.map((a, i) => templated(`alarms.${i}`, a)) };
    case 'http': {
      const timeout = check.timeout === undefined ? defaultHttpTimeoutMs : parseDuration(check.timeout);
      if (timeout === undefined || timeout < 100) problem('timeout', `expected a duration of at least 100ms, got ${check.timeout}`);
      return { provider: 'http', url: templated('url', check.url), timeoutMs: timeout ?? defaultHttpTimeoutMs };
    }
    case 'prometheus': {
      const shape = promqlProblem(check.query);
      if (shape) problem('query', shape);
      return { provider: 'prometheus', address: check.address.replace(/\/+$/, ''), query: templated('query', check.query) };
    }
    case 'cloudwatch-metric': {
      const lookback = check.lookback === undefined ? defaultLookbackMs : parseDuration(check.lookback);
      if (lookback === undefined || lookback < 1000) problem('lookback', `expected a duration of at least 1s, got ${check.lookback}`);
      const stat = (m: NonNullable<typeof check.metric>, field: string): MetricStatSpec => {
        const period = m.period ?? defaultPeriod;
        // CloudWatch takes 1, 5, 10, 20, 30 (high resolution) or a multiple of 60 seconds.
        if (![1, 5, 10, 20, 30].includes(period) && period % 60 !== 0) {
          problem(`${field}.period`, `expected 1, 5, 10, 20, 30 or a multiple of 60 seconds, got ${period}`);
        }
        const statistic = m.stat ?? 'Average';
        if (!/^(Average|Sum|Minimum|Maximum|SampleCount|(p|tm|wm|tc|ts)\d{1,2}(\.\d+)?|IQM)$/.test(statistic)) {
          problem(`${field}.stat`, `expected Average, Sum, Minimum, Maximum, SampleCount or a percentile such as p99, got ${statistic}`);
        }
        const dimensions: Record<string, string> = {};
        for (const [k, v] of Object.entries(m.dimensions ?? {})) dimensions[k] = templated(`${field}.dimensions.${k}`, v);
        return { namespace: m.namespace, name: m.name, dimensions, stat: statistic, period };
      };
      const metrics: Record<string, MetricStatSpec> = {};
      if (check.metric && (check.expression || check.metrics)) {
        problem('metric', 'give either metric, or expression with metrics, not both');
      } else if (check.metric) {
        metrics.m1 = stat(check.metric, 'metric');
      } else if (check.expression && check.metrics && Object.keys(check.metrics).length > 0) {
        for (const [id, m] of Object.entries(check.metrics)) metrics[id] = stat(m, `metrics.${id}`);
        const unknown = [...check.expression.matchAll(/\b[a-z][A-Za-z0-9_]*\b/g)]
          .map((m) => m[0])
          .filter((id) => !Object.hasOwn(metrics, id) && !mathFunctions.has(id.toUpperCase()));
        if (unknown.length)
          problem('expression', `names ${unknown.join(', ')}, which metrics does not define (have: ${Object.keys(metrics).join(', ')})`);
        const shape = bracketProblem(check.expression);
        if (shape) problem('expression', shape);
      } else {
        problem('metric', 'is required: a metric (namespace, name, dimensions, stat, period), or expression with the metrics it reads');
      }
      return {
        provider: 'cloudwatch-metric',
        metrics,
        expression: check.expression,
        lookbackMs: lookback ?? defaultLookbackMs,
      };
    }
  }
}

/** Metric math functions an expression may call (CloudWatch's are upper case; ids are lower case). */
const mathFunctions = new Set(['ABS', 'AVG', 'CEIL', 'FILL', 'FLOOR', 'MAX', 'MIN', 'RATE', 'SUM', 'IF', 'AND', 'OR']);

/**
 * What can be told about a PromQL query without a server: brackets and quotes that do not close.
 * The server judges the rest before any traffic moves (the query is run once then).
 */
export function promqlProblem(query: string): string | undefined {
  return bracketProblem(query);
}

function bracketProblem(text: string): string | undefined {
  const closing: Record<string, string> = { '(': ')', '[': ']', '{': '}' };
  const stack: string[] = [];
  let quote: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i] ?? '';
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = undefined;
      continue;
    }
    if (c === '"' || c === "'" || c === '`') quote = c;
    else if (closing[c]) stack.push(closing[c]);
    else if (c === ')' || c === ']' || c === '}') {
      if (stack.pop() !== c) return `cannot be parsed: unexpected ${c} at character ${i + 1}`;
    }
  }
  if (quote) return `cannot be parsed: the string opened with ${quote} does not end`;
  if (stack.length) return `cannot be parsed: ${stack.reverse().join(' ')} missing at the end`;
  return undefined;
}
