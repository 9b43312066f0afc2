// Which requests go through a proxy, decided once for every client the actions make (AWS SDK,
// Kubernetes, registry, GitHub, the OIDC token request), from the variables GitHub's runner and
// @actions/http-client honour: https_proxy/HTTPS_PROXY for https URLs, http_proxy/HTTP_PROXY for
// http URLs (lower case first), no_proxy/NO_PROXY for the exceptions. Loopback hosts always go
// direct (as the runner and http-client do: a proxy cannot reach the runner's own loopback).
// Proxy credentials never reach the log: shown URLs hide them and they are masked before use.
// Pure decisions; the agents that act on them are in proxy-agents.ts.
import { BlockList, isIP } from 'node:net';
import { actionsLog } from './actions-log.ts';
import { ExpeditorError } from './errors.ts';
import { type Env, runnerEnv } from './inputs.ts';
import type { Log } from './log.ts';

/** One NO_PROXY entry. */
export type NoProxyEntry =
  | { kind: 'all' }
  /** `example.com` (itself and its subdomains), `.example.com` / `*.example.com` (subdomains only). */
  | { kind: 'host'; host: string; subdomainsOnly: boolean; port: string | undefined }
  | { kind: 'ip'; ip: string; port: string | undefined }
  | { kind: 'cidr'; list: BlockList; text: string };

/** What a connection goes to: a URL, or its parts. */
export interface ProxyTarget {
  protocol: string;
  hostname: string;
  port?: string | number | undefined;
}

/** The proxy settings of the environment, and the one decision: proxy or direct. */
export class ProxyRules {
  /** The proxy for https URLs, and the variable it came from. */
  readonly https: { url: URL; variable: string } | undefined;
  readonly http: { url: URL; variable: string } | undefined;
  readonly noProxy: readonly NoProxyEntry[];
  private readonly log: Pick<Log, 'debug' | 'mask'>;
  private announced = false;

  constructor(env: Env, log: Pick<Log, 'debug' | 'mask'> = actionsLog) {
    this.log = log;
    this.https = proxyVariable(env, 'https_proxy');
    this.http = proxyVariable(env, 'http_proxy');
    this.noProxy = parseNoProxy(env.no_proxy || env.NO_PROXY || '');
  }

  /** True when any proxy is set: only then do clients need anything but their defaults. */
  get any(): boolean {
    return this.https !== undefined || this.http !== undefined;
  }

  /** The proxy a request to `target` goes through, or undefined to connect directly. */
  proxyFor(target: string | URL | ProxyTarget): URL | undefined {
    const t = typeof target === 'string' ? new URL(target) : target;
    const proxy = t.protocol === 'https:' ? this.https : t.protocol === 'http:' ? this.http : undefined;
    if (!proxy) return undefined;
    const hostname = bare(t.hostname);
    const port = String(t.port || (t.protocol === 'https:' ? 443 : 80));
    if (isLoopback(hostname) || bypassed(this.noProxy, hostname, port)) return undefined;
    return proxy.url;
  }

  /**
   * Called before the first request through a proxy: masks the proxy's credentials and says, once,
   * at debug level, which proxy is used (without credentials).
   */
  announce(target: string): void {
    if (this.announced) return;
    this.announced = true;
    for (const p of [this.https, this.http]) for (const secret of proxySecrets(p?.url)) this.log.mask(secret);
    const used = [this.https, this.http]
      .filter((p) => p !== undefined)
      .map((p) => `${p.variable}=${shownProxy(p.url)}`)
      .join(', ');
    const except = this.noProxy.length ? `; not for NO_PROXY ${this.noProxy.map(showEntry).join(',')}` : '';
    this.log.debug(`requests go through a proxy (${used}), the first to ${target}${except}; loopback hosts go direct`);
  }
}

let runner: ProxyRules | undefined;

/** The runner environment's rules, read once. */
export function runnerProxy(): ProxyRules {
  runner ??= new ProxyRules(runnerEnv());
  return runner;
}

/** A proxy URL with its credentials hidden: `http://***@proxy.corp:3128`. */
export function shownProxy(url: URL): string {
  const hidden = url.username || url.password ? '***@' : '';
  return `${url.protocol}//${hidden}${url.host}${url.pathname === '/' ? '' : url.pathname}`;
}

/** What must be masked of a proxy URL: its password (as written and decoded) and the user:password pair. */
export function proxySecrets(url: URL | undefined): string[] {
  if (!url?.password) return [];
  const decoded = safeDecode(url.password);
  const user = safeDecode(url.username);
  return [...new Set([url.password, decoded, `${user}:${decoded}`, `${url.username}:${url.password}`])].filter((s) => s.length >= 3);
}

/** Hides anything that may be credentials in a value that is not a URL (`user:pass@` before a host). */
function hideUserinfo(value: string): string {
  return value.replace(/^([a-z][a-z0-9+.-]*:\/\/)?[^@/]*@/i, '$1***@');
}

function proxyVariable(env: Env, lower: 'https_proxy' | 'http_proxy'): { url: URL; variable: string } | undefined {
  const upper = lower.toUpperCase();
  const variable = env[lower] ? lower : env[upper] ? upper : undefined;
  const value = variable ? (env[variable] ?? '').trim() : '';
  if (!variable || !value) return undefined;
  // A proxy without a scheme is an HTTP proxy (as curl and Go take it).
  const text = /^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? value : `http://${value}`;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new ExpeditorError(`the proxy variable ${variable} is not a URL (${hideUserinfo(value)})`, {
      unchanged: 'nothing was changed',
      next: `set ${variable} to http://host:port (or http://user:password@host:port), or unset it`,
    });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ExpeditorError(
      `the proxy variable ${variable} names a ${url.protocol.replace(':', '')} proxy (${shownProxy(url)}); only http:// and https:// proxies are supported`,
      {
        unchanged: 'nothing was changed',
        next: `give an HTTP proxy in ${variable} (one that accepts CONNECT), or unset it`,
      },
    );
  }
  return { url, variable };
}

/** NO_PROXY as curl, Go and @actions/http-client read it: comma or space separated, case-insensitive. */
export function parseNoProxy(value: string): NoProxyEntry[] {
  const entries: NoProxyEntry[] = [];
  for (const raw of value.split(/[\s,]+/)) {
    const item = raw.trim().toLowerCase();
    if (!item) continue;
    if (item === '*') {
      entries.push({ kind: 'all' });
      continue;
    }
    const cidr = /^([0-9a-f.:]+)\/(\d{1,3})$/.exec(item);
    if (cidr) {
      const family = isIP(cidr[1] as string);
      const bits = Number(cidr[2]);
      if (family && bits <= (family === 4 ? 32 : 128)) {
        const list = new BlockList();
        list.addSubnet(cidr[1] as string, bits, family === 4 ? 'ipv4' : 'ipv6');
        entries.push({ kind: 'cidr', list, text: item });
      }
      continue;
    }
    const { host, port } = splitPort(item);
    if (isIP(host)) {
      entries.push({ kind: 'ip', ip: host, port });
      continue;
    }
    const subdomainsOnly = host.startsWith('.') || host.startsWith('*.');
    const name = host.replace(/^\*?\./, '').replace(/\.$/, '');
    if (name) entries.push({ kind: 'host', host: name, subdomainsOnly, port });
  }
  return entries;
}

/** True when a NO_PROXY entry exempts `hostname` (no brackets, any case) on `port`. */
export function bypassed(entries: readonly NoProxyEntry[], hostname: string, port: string): boolean {
  const host = bare(hostname).toLowerCase().replace(/\.$/, '');
  const family = isIP(host);
  for (const e of entries) {
    if (e.kind === 'all') return true;
    if (e.kind === 'cidr') {
      if (family && e.list.check(host, family === 4 ? 'ipv4' : 'ipv6')) return true;
      continue;
    }
    if (e.port !== undefined && e.port !== port) continue;
    if (e.kind === 'ip') {
      if (family && sameIp(e.ip, host)) return true;
      continue;
    }
    if (host === e.host ? !e.subdomainsOnly : host.endsWith(`.${e.host}`)) return true;
  }
  return false;
}

/** localhost (and names under it), 127.0.0.0/8 and ::1: never through a proxy. */
export function isLoopback(hostname: string): boolean {
  const host = bare(hostname).toLowerCase().replace(/\.$/, '');
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  if (isIP(host) === 6) return sameIp(host, '::1') || /^::ffff:127\./.test(host);
  return false;
}

function splitPort(item: string): { host: string; port: string | undefined } {
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(item);
  if (bracketed) return { host: bracketed[1] as string, port: bracketed[2] };
  // A bare IPv6 address has several colons and no port.
  if (isIP(item) === 6) return { host: item, port: undefined };
  const m = /^(.*):(\d+)$/.exec(item);
  return m ? { host: m[1] as string, port: m[2] } : { host: item, port: undefined };
}

function bare(hostname: string): string {
  return hostname.replace(/^\[|\]$/g, '');
}

function sameIp(a: string, b: string): boolean {
  if (a === b) return true;
  const family = isIP(a);
  if (!family || family !== isIP(b)) return false;
  const list = new BlockList();
  list.addAddress(a, family === 4 ? 'ipv4' : 'ipv6');
  return list.check(b, family === 4 ? 'ipv4' : 'ipv6');
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

function showEntry(e: NoProxyEntry): string {
  switch (e.kind) {
    case 'all':
      return '*';
    case 'cidr':
      return e.text;
    case 'ip':
      return `${e.ip.includes(':') && e.port ? `[${e.ip}]` : e.ip}${e.port ? `:${e.port}` : ''}`;
    case 'host':
      return `${e.subdomainsOnly ? '.' : ''}${e.host}${e.port ? `:${e.port}` : ''}`;
  }
}
