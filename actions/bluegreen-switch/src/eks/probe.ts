// The optional HTTP health check of a canary step: one GET, a 2xx answer passes; through the
// proxy when the environment sets one for the URL (HTTPS_PROXY, NO_PROXY).
import { proxyFetch } from '@expeditor/shared/proxy-agents';

export interface ProbeResult {
  ok: boolean;
  /** "answered 200", "answered 503 Service Unavailable", "failed: connect ECONNREFUSED …" */
  detail: string;
}

export async function probe(url: string, timeoutMs: number, signal: AbortSignal): Promise<ProbeResult> {
  const limit = AbortSignal.timeout(timeoutMs);
  try {
    const response = await proxyFetch()(url, {
      signal: AbortSignal.any([signal, limit]),
      redirect: 'follow',
      headers: { 'user-agent': 'expeditor-bluegreen-switch' },
    });
    // The body is not needed; drop it so the connection can be reused or closed.
    await response.body?.cancel().catch(() => undefined);
    const detail = `answered ${response.status}${response.statusText ? ` ${response.statusText}` : ''}`;
    return { ok: response.status >= 200 && response.status < 300, detail };
  } catch (error) {
    // The run's own cancellation is not a failed probe: let the caller see it.
    if (signal.aborted) throw error;
    if (limit.aborted) return { ok: false, detail: `did not answer within ${timeoutMs} ms` };
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    return { ok: false, detail: `failed: ${cause?.code ?? cause?.message ?? (error as Error).message}` };
  }
}
