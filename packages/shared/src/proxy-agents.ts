// The agents and the fetch that act on proxy.ts's decision, for the clients that use node:http
// (the AWS SDK's NodeHttpHandler, the OIDC token request) and fetch (registry, GitHub). Each agent
// decides per connection (host and port), so one agent serves a client whatever endpoint it
// resolves; a proxied connection is a CONNECT tunnel (hpagent, no dependencies, a few KiB), TLS to
// the target inside it. Without a proxy in the environment nothing here is used: clients keep
// their defaults. Kubernetes goes through client-node's own undici ProxyAgent (kube/proxy.ts).
import * as http from 'node:http';
import * as https from 'node:https';
import type { Duplex } from 'node:stream';
import { Readable } from 'node:stream';
import { HttpProxyAgent, HttpsProxyAgent } from 'hpagent';
import { type ProxyRules, runnerProxy } from './proxy.ts';

type Callback = (error: Error | null, socket?: Duplex) => void;
interface ConnectOptions {
  host?: string | null;
  port?: number | string | null;
}
type CreateConnection = (this: http.Agent, options: ConnectOptions, callback: Callback) => Duplex | undefined;

// The SDK's own agents keep connections alive with up to 50 sockets; so do these.
const agentOptions = { keepAlive: true, maxSockets: 50 };

/**
 * createConnection of an agent that asks the rules per connection: `direct` (the plain agent's)
 * when they say so, else `tunnel` (hpagent's CONNECT), announcing the first proxied connection.
 */
function decide(protocol: 'https:' | 'http:', rules: ProxyRules, direct: CreateConnection, tunnel: CreateConnection): CreateConnection {
  return function createConnection(this: http.Agent, options, callback) {
    const target = { protocol, hostname: options.host ?? '', port: options.port ?? (protocol === 'https:' ? 443 : 80) };
    if (!rules.proxyFor(target)) return direct.call(this, options, callback);
    rules.announce(`${target.hostname}:${target.port}`);
    return tunnel.call(this, options, callback);
  };
}

const createConnectionOf = (prototype: object): CreateConnection => (prototype as { createConnection: CreateConnection }).createConnection;

/** An https.Agent that tunnels through the HTTPS proxy unless the rules say direct. */
class RulesHttpsAgent extends HttpsProxyAgent {
  constructor(rules: ProxyRules, proxy: URL) {
    super({ ...agentOptions, proxy });
    Object.assign(this, {
      createConnection: decide('https:', rules, createConnectionOf(https.Agent.prototype), createConnectionOf(HttpsProxyAgent.prototype)),
    });
  }
}

/** An http.Agent for plain-http URLs: tunnels through the HTTP proxy (CONNECT) unless the rules say direct. */
class RulesHttpAgent extends HttpProxyAgent {
  constructor(rules: ProxyRules, proxy: URL) {
    super({ ...agentOptions, proxy });
    Object.assign(this, {
      createConnection: decide('http:', rules, createConnectionOf(http.Agent.prototype), createConnectionOf(HttpProxyAgent.prototype)),
    });
  }
}

export interface ProxyAgents {
  /** For https URLs; undefined when no HTTPS proxy is set (the client's default agent). */
  https: https.Agent | undefined;
  http: http.Agent | undefined;
}

const made = new WeakMap<ProxyRules, ProxyAgents>();

/** One pair of agents per rules (so connections are shared by every client of the run). */
export function proxyAgents(rules: ProxyRules = runnerProxy()): ProxyAgents {
  let agents = made.get(rules);
  if (!agents) {
    agents = {
      https: rules.https ? new RulesHttpsAgent(rules, rules.https.url) : undefined,
      http: rules.http ? new RulesHttpAgent(rules, rules.http.url) : undefined,
    };
    made.set(rules, agents);
  }
  return agents;
}

/** The agent for one URL (for node:http/https requests), or undefined for the default one. */
export function agentFor(url: string | URL, rules: ProxyRules = runnerProxy()): http.Agent | undefined {
  if (!rules.any) return undefined;
  const protocol = typeof url === 'string' ? new URL(url).protocol : url.protocol;
  const agents = proxyAgents(rules);
  return protocol === 'https:' ? agents.https : agents.http;
}

const redirects = new Set([301, 302, 303, 307, 308]);

/**
 * fetch that honours the proxy rules: a direct URL goes to the global fetch as before; a proxied
 * one is sent with node:http(s) through the proxy agent and answered as a fetch Response
 * (redirects followed as fetch follows them, each hop decided again; Authorization dropped on a
 * hop to another origin). Node's fetch takes no agent, and undici's ProxyAgent would add a few
 * hundred KiB to every bundle that talks to a registry or GitHub.
 */
export function proxyFetch(rules: ProxyRules = runnerProxy()): typeof fetch {
  const proxied = async (input: string | URL | Request, init?: RequestInit, hops = 0): Promise<Response> => {
    const url = new URL(typeof input === 'string' || input instanceof URL ? input : input.url);
    if (!rules.proxyFor(url)) return globalThis.fetch(input, init);
    const request = new Request(input, init);
    const body = request.body ? Buffer.from(await request.arrayBuffer()) : undefined;
    const headers: Record<string, string> = {};
    request.headers.forEach((value, name) => {
      headers[name] = value;
    });
    const response = await send(url, request.method, headers, body, init?.signal ?? undefined, agentFor(url, rules));
    const location = response.headers.get('location');
    if (!redirects.has(response.status) || !location || request.redirect === 'manual') return response;
    await response.body?.cancel();
    if (request.redirect === 'error') throw new TypeError('fetch failed', { cause: new Error(`redirect to ${location} refused`) });
    if (hops >= 20) throw new TypeError('fetch failed', { cause: new Error('too many redirects') });
    const next = new URL(location, url);
    const toGet =
      response.status === 303
        ? request.method !== 'HEAD'
        : (response.status === 301 || response.status === 302) && request.method === 'POST';
    const nextHeaders = new Headers(headers);
    if (next.origin !== url.origin) nextHeaders.delete('authorization');
    if (toGet)
      for (const h of ['content-type', 'content-length', 'content-encoding', 'content-language', 'content-location']) nextHeaders.delete(h);
    return proxied(
      next,
      {
        method: toGet ? 'GET' : request.method,
        headers: nextHeaders,
        ...(!toGet && body ? { body: new Uint8Array(body) } : {}),
        redirect: request.redirect,
        ...(init?.signal ? { signal: init.signal } : {}),
      },
      hops + 1,
    );
  };
  return ((input: string | URL | Request, init?: RequestInit) => proxied(input, init)) as typeof fetch;
}

function send(
  url: URL,
  method: string,
  headers: Record<string, string>,
  body: Buffer | undefined,
  signal: AbortSignal | undefined,
  agent: http.Agent | undefined,
): Promise<Response> {
  return new Promise((resolve, reject) => {
    const request = (url.protocol === 'https:' ? https.request : http.request)(
      url,
      { method, headers, ...(agent ? { agent } : {}), ...(signal ? { signal } : {}) },
      (res) => {
        const status = res.statusCode ?? 0;
        const answerHeaders = new Headers();
        for (let i = 0; i + 1 < res.rawHeaders.length; i += 2)
          answerHeaders.append(res.rawHeaders[i] as string, res.rawHeaders[i + 1] as string);
        const empty = method === 'HEAD' || status === 204 || status === 205 || status === 304;
        if (empty) res.resume();
        const response = new Response(empty ? null : (Readable.toWeb(res) as ReadableStream<Uint8Array>), {
          status,
          statusText: res.statusMessage ?? '',
          headers: answerHeaders,
        });
        Object.defineProperty(response, 'url', { value: url.href });
        resolve(response);
      },
    );
    // As fetch does: a socket error is the cause of a TypeError, an abort is the AbortError itself.
    request.on('error', (error) => reject(signal?.aborted ? error : new TypeError('fetch failed', { cause: error })));
    request.end(body);
  });
}
