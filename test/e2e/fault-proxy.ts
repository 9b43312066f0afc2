// A reverse proxy that injects faults between an action and a bed server (moto, the
// kube-apiserver, the GitHub server), at a set rate, from a seeded generator so a run can be
// repeated: 429 and 503 answers (the request never reaches the server), connection resets before
// the request is sent and AFTER the server handled it (the answer is lost: the case that makes a
// retried write a duplicate), slow answers, and watch streams dropped part-way. The actions see a
// flaky network; the servers see at most one copy of each request that got through.
import { createServer as createHttpServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer, request as httpsRequest } from 'node:https';
import type { AddressInfo } from 'node:net';

export type FaultKind = 'throttle' | 'unavailable' | 'reset-before' | 'reset-after' | 'slow' | 'drop-watch';
export type Flavor = 'aws' | 'kube' | 'github' | 'registry';

export interface RequestInfo {
  method: string;
  path: string;
  /**
   * The AWS operation: the JSON protocol's X-Amz-Target (AmazonEC2ContainerServiceV20141113.RegisterTaskDefinition),
   * or the query protocol's Action (STS: AssumeRoleWithWebIdentity).
   */
  operation: string | undefined;
  watch: boolean;
}

export interface FaultPlan {
  /** Share of requests that get a fault, 0..1. */
  rate: number;
  seed: number;
  kinds?: readonly FaultKind[];
  /** A fault chosen for a given request before the random draw (e.g. the first write's answer lost). */
  pick?: (request: RequestInfo) => FaultKind | undefined;
  /**
   * Awaited as a fault strikes, before the client sees it: before a 429/503 is answered or a
   * connection is reset, and for `reset-after` once the server has answered (the server acted,
   * the client has not heard). A test uses it to act at that moment (e.g. cancel the run).
   */
  hold?: (request: RequestInfo, kind: FaultKind) => Promise<void>;
  /** How long a `slow` answer is held before the request goes on (default 1.5 s). */
  slowMs?: number;
}

/** Picks `kind` for the first request `matches` accepts, once. */
export function once(matches: (r: RequestInfo) => boolean, kind: FaultKind): (r: RequestInfo) => FaultKind | undefined {
  let done = false;
  return (r) => {
    if (done || !matches(r)) return undefined;
    done = true;
    return kind;
  };
}

export interface Injected {
  kind: FaultKind;
  method: string;
  path: string;
}

export interface FaultProxy {
  url: string;
  port: number;
  requests: number;
  injected: Injected[];
  close(): Promise<void>;
}

/** mulberry32: small, seeded, good enough to spread faults. */
function generator(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const allKinds: readonly FaultKind[] = ['throttle', 'unavailable', 'reset-before', 'reset-after', 'slow', 'drop-watch'];

/** The error answer each server kind would give, so the client parses it as its own. */
function errorAnswer(flavor: Flavor, status: 429 | 503, query: boolean): { headers: Record<string, string>; body: string } {
  const throttled = status === 429;
  if (flavor === 'aws' && query) {
    // The query protocol (STS): an XML ErrorResponse.
    const code = throttled ? 'Throttling' : 'ServiceUnavailable';
    return {
      headers: { 'content-type': 'text/xml' },
      body: `<ErrorResponse><Error><Type>${throttled ? 'Sender' : 'Receiver'}</Type><Code>${code}</Code><Message>${throttled ? 'Rate exceeded' : 'Service unavailable'} (injected)</Message></Error><RequestId>injected</RequestId></ErrorResponse>`,
    };
  }
  if (flavor === 'registry') {
    const code = throttled ? 'TOOMANYREQUESTS' : 'UNAVAILABLE';
    return {
      headers: { 'content-type': 'application/json', 'retry-after': '1' },
      body: JSON.stringify({ errors: [{ code, message: 'injected' }] }),
    };
  }
  if (flavor === 'aws') {
    const type = throttled ? 'ThrottlingException' : 'ServiceUnavailableException';
    return {
      headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-errortype': type },
      body: JSON.stringify({ __type: type, message: `${throttled ? 'Rate exceeded' : 'Service unavailable'} (injected)` }),
    };
  }
  if (flavor === 'kube') {
    return {
      headers: { 'content-type': 'application/json', 'retry-after': '1' },
      body: JSON.stringify({
        kind: 'Status',
        apiVersion: 'v1',
        status: 'Failure',
        reason: throttled ? 'TooManyRequests' : 'ServiceUnavailable',
        message: 'injected',
        code: status,
      }),
    };
  }
  return { headers: { 'content-type': 'application/json', 'retry-after': '1' }, body: JSON.stringify({ message: 'injected' }) };
}

/**
 * Starts a proxy in front of `upstream` (http or https). With `tls`, the proxy itself speaks https
 * (for a kubeconfig pointed at it; the upstream's certificate is not checked: it is the bed's).
 */
export async function faultProxy(
  upstream: string,
  flavor: Flavor,
  plan: FaultPlan,
  tls?: { key: string; cert: string },
): Promise<FaultProxy> {
  const target = new URL(upstream);
  const random = generator(plan.seed);
  const kinds = plan.kinds ?? allKinds;
  const injected: Injected[] = [];
  const state = { requests: 0 };
  // Slow answers still held when the proxy closes are dropped, not sent on later.
  const timers = new Set<NodeJS.Timeout>();

  const forward = (req: IncomingMessage, body: Buffer, onResponse: (upstreamRes: IncomingMessage) => void, onError: () => void): void => {
    const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
    const out = send(
      {
        host: target.hostname,
        port: target.port,
        method: req.method,
        path: req.url,
        headers: {
          ...req.headers,
          host: target.host,
          // The registry writes absolute URLs (an upload's Location) on the host it was asked
          // by: as a reverse proxy does, name this one, so the client's next request (the upload's
          // PATCH and PUT) comes back through the faults instead of going round them.
          ...(flavor === 'registry' ? { 'x-forwarded-host': req.headers.host ?? '', 'x-forwarded-proto': tls ? 'https' : 'http' } : {}),
        },
        rejectUnauthorized: false,
      },
      onResponse,
    );
    out.on('error', onError);
    out.end(body);
  };

  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      state.requests++;
      const body = Buffer.concat(chunks);
      const watch = /[?&]watch=(true|1)/.test(req.url ?? '');
      const candidates = kinds.filter((k) => (k === 'drop-watch' ? watch : k !== 'slow' || !watch));
      const target = req.headers['x-amz-target'];
      const query = String(req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded');
      const action = query ? (new URLSearchParams(body.toString('utf8')).get('Action') ?? undefined) : undefined;
      const info: RequestInfo = {
        method: req.method ?? '',
        path: (req.url ?? '').split('?')[0] ?? '',
        operation: typeof target === 'string' ? target : action,
        watch,
      };
      const picked = plan.pick?.(info);
      const kind =
        picked ?? (random() < plan.rate && candidates.length > 0 ? candidates[Math.floor(random() * candidates.length)] : undefined);
      if (kind) injected.push({ kind, method: req.method ?? '', path: (req.url ?? '').split('?')[0] ?? '' });
      const held = (then: () => void): void => {
        if (!kind || !plan.hold) then();
        else plan.hold(info, kind).then(then, then);
      };
      const pipeBack = (up: IncomingMessage): void => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      };
      const lost = (): void => {
        res.destroy();
      };
      switch (kind) {
        case 'throttle':
        case 'unavailable': {
          const status = kind === 'throttle' ? 429 : 503;
          const answer = errorAnswer(flavor, status, query);
          held(() => res.writeHead(status, answer.headers).end(answer.body));
          return;
        }
        case 'reset-before':
          held(() => req.socket.destroy());
          return;
        case 'reset-after':
          // The server does the work; the answer never arrives.
          forward(
            req,
            body,
            (up) => {
              up.resume();
              up.on('end', () => held(() => req.socket.destroy()));
            },
            lost,
          );
          return;
        case 'slow':
          held(() => {
            const timer = setTimeout(() => {
              timers.delete(timer);
              forward(req, body, pipeBack, lost);
            }, plan.slowMs ?? 1_500);
            timers.add(timer);
          });
          return;
        case 'drop-watch':
          forward(
            req,
            body,
            (up) => {
              pipeBack(up);
              setTimeout(() => req.socket.destroy(), 200 + random() * 800);
            },
            lost,
          );
          return;
        default:
          forward(req, body, pipeBack, lost);
      }
    });
  };

  const server = tls ? createHttpsServer({ key: tls.key, cert: tls.cert }, handle) : createHttpServer(handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `${tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    port,
    get requests() {
      return state.requests;
    },
    injected,
    close: () =>
      new Promise<void>((resolve) => {
        for (const timer of timers) clearTimeout(timer);
        server.closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
}
