// Provider `prometheus`: an instant query (GET /api/v1/query). A scalar's result is a number, a
// vector's a list of numbers (one per series, in the server's order), so conditions read
// `result >= 0.95` or `result[0] >= 0.95`. A query the server cannot parse is refused before any
// traffic moves; a server that does not answer gives error measurements.
import { proxyFetch } from '@expeditor/shared/proxy-agents';
import type { CheckOrigin } from './plan.ts';
import { fill } from './template.ts';
import { requestFailure, shownUrl, splitCredentials, type Measured, type Source } from './source.ts';

interface PromAnswer {
  status?: 'success' | 'error';
  errorType?: string;
  error?: string;
  data?: { resultType?: string; result?: unknown };
}

/** The server answered, and refused the query itself (bad_data): waiting will not help. */
export class QueryRefused extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'QueryRefused';
  }
}

const timeoutMs = 10_000;

export function prometheusSource(spec: { address: string; query: string }, origin: CheckOrigin): Source {
  return {
    async verify(args, signal) {
      try {
        await instantQuery(spec.address, fill(spec.query, args), signal);
      } catch (error) {
        if (signal.aborted) throw error;
        const refused = error instanceof QueryRefused;
        throw origin.error(refused ? 'query' : 'address', (error as Error).message, {
          cause: error,
          unchanged: 'nothing was changed',
          next: refused
            ? 'fix the PromQL query (try it in the Prometheus UI)'
            : 'check the address and that the runner can reach Prometheus',
        });
      }
    },
    measure: (args, signal) => instantQuery(spec.address, fill(spec.query, args), signal),
  };
}

export async function instantQuery(address: string, query: string, signal: AbortSignal): Promise<Measured> {
  const { url, headers } = splitCredentials(`${address}/api/v1/query?${new URLSearchParams({ query })}`);
  const limit = AbortSignal.timeout(timeoutMs);
  let response: Response;
  let answer: PromAnswer;
  try {
    response = await proxyFetch()(url, { signal: AbortSignal.any([signal, limit]), headers: { accept: 'application/json', ...headers } });
    answer = (await response.json().catch(() => ({}))) as PromAnswer;
  } catch (error) {
    if (signal.aborted) throw error;
    if (limit.aborted) throw new Error(`Prometheus at ${shownUrl(address)} did not answer within ${timeoutMs} ms`);
    throw new Error(`Prometheus at ${shownUrl(address)} did not answer: ${requestFailure(error)}`);
  }
  if (answer.status !== 'success') {
    const what = `Prometheus answered ${response.status}${answer.errorType ? ` ${answer.errorType}` : ''}: ${answer.error ?? 'no error message'}`;
    // 400 bad_data is the query's fault; 422 (execution), 503 (timeout) and the rest may pass.
    if (response.status === 400 || answer.errorType === 'bad_data') throw new QueryRefused(what);
    throw new Error(what);
  }
  return resultOf(answer.data?.resultType, answer.data?.result);
}

/** A scalar as a number, a vector as a list of numbers; a matrix or a string is not a measurement. */
export function resultOf(type: string | undefined, result: unknown): Measured {
  const number = (pair: unknown): number => Number((pair as [number, string] | undefined)?.[1]);
  if (type === 'scalar') {
    const value = number(result);
    return { value, shown: String(value) };
  }
  if (type === 'vector' && Array.isArray(result)) {
    const values = result.map((series: { value?: unknown }) => number(series.value));
    return { value: values, shown: values.length === 0 ? 'no series (empty vector)' : `[${values.join(', ')}]` };
  }
  throw new QueryRefused(`the query gives a ${type ?? 'result of no type'}, not a scalar or a vector (an instant query is needed)`);
}
