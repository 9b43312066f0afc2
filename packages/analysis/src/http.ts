// Provider `http`: one GET, the status code is the result (a 2xx passes unless the check says
// otherwise). Through the proxy when the environment sets one for the URL (HTTPS_PROXY, NO_PROXY).
// This was bluegreen-switch's probe between canary steps; it is now one provider among the others.
import { proxyFetch } from '@expeditor/shared/proxy-agents';
import { fill, type CheckArgs } from './template.ts';
import { requestFailure, shownUrl, splitCredentials, type Measured, type Source } from './source.ts';

export function httpSource(spec: { url: string; timeoutMs: number }): Source {
  return {
    // The URL may only answer once traffic reaches the target: nothing to look at beforehand.
    verify: async () => undefined,
    measure: (args, signal) => httpStatus(fill(spec.url, args), spec.timeoutMs, signal),
  };
}

/** The status of one GET of `url`; throws (an error measurement) when nothing answered in time. */
export async function httpStatus(url: string, timeoutMs: number, signal: AbortSignal): Promise<Measured> {
  const limit = AbortSignal.timeout(timeoutMs);
  const { url: bare, headers } = splitCredentials(url);
  try {
    const response = await proxyFetch()(bare, {
      signal: AbortSignal.any([signal, limit]),
      redirect: 'follow',
      headers: { 'user-agent': 'expeditor-analysis', ...headers },
    });
    // The body is not needed; drop it so the connection can be reused or closed.
    await response.body?.cancel().catch(() => undefined);
    return { value: response.status, shown: `${response.status}${response.statusText ? ` ${response.statusText}` : ''}` };
  } catch (error) {
    // The caller's own stop (a cancelled run, another check that failed) is not this source's fault.
    if (signal.aborted) throw error;
    if (limit.aborted) throw new Error(`GET ${shownUrl(url)} did not answer within ${timeoutMs} ms`);
    throw new Error(`GET ${shownUrl(url)} failed: ${requestFailure(error)}`);
  }
}

export type { CheckArgs };
