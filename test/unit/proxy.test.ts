// The one proxy decision every client shares (shared/proxy.ts): which variable applies to which
// URL, NO_PROXY as curl, Go and @actions/http-client read it, loopback always direct, and proxy
// credentials hidden from what is shown and masked before first use.
import { describe, expect, test } from 'vitest';
import { bypassed, isLoopback, parseNoProxy, ProxyRules, proxySecrets, shownProxy } from '../../packages/shared/src/proxy.ts';
import { clientConfig } from '../../packages/aws/src/clients.ts';
import { agentFor } from '../../packages/shared/src/proxy-agents.ts';
import { ExpeditorError } from '../../packages/shared/src/errors.ts';
import { memoryLog } from '../../packages/shared/src/log.ts';

const proxy = 'http://proxy.corp:3128';
const rules = (env: Record<string, string>) => new ProxyRules(env, memoryLog());
const via = (env: Record<string, string>, url: string) => rules(env).proxyFor(url)?.href;

describe('which proxy variable applies', () => {
  test.each([
    ['https URL, HTTPS_PROXY', { HTTPS_PROXY: proxy }, 'https://ecs.us-west-2.amazonaws.com/', `${proxy}/`],
    ['https URL, only HTTP_PROXY: direct', { HTTP_PROXY: proxy }, 'https://ecs.us-west-2.amazonaws.com/', undefined],
    ['http URL, HTTP_PROXY', { HTTP_PROXY: proxy }, 'http://moto.internal:5000/', `${proxy}/`],
    ['http URL, only HTTPS_PROXY: direct', { HTTPS_PROXY: proxy }, 'http://moto.internal:5000/', undefined],
    ['lower case wins', { https_proxy: 'http://lower:1', HTTPS_PROXY: 'http://upper:2' }, 'https://api.github.com/', 'http://lower:1/'],
    ['upper case alone', { HTTPS_PROXY: 'http://upper:2' }, 'https://api.github.com/', 'http://upper:2/'],
    [
      'empty lower case falls back to upper case',
      { https_proxy: '', HTTPS_PROXY: 'http://upper:2' },
      'https://api.github.com/',
      'http://upper:2/',
    ],
    ['no scheme: an HTTP proxy', { HTTPS_PROXY: 'proxy.corp:3128' }, 'https://api.github.com/', `${proxy}/`],
    ['an https proxy', { HTTPS_PROXY: 'https://proxy.corp:8443' }, 'https://api.github.com/', 'https://proxy.corp:8443/'],
    ['nothing set', {}, 'https://api.github.com/', undefined],
  ])('%s', (_name, env, url, expected) => {
    expect(via(env, url)).toBe(expected);
  });

  test('a proxy that is not a URL, or not HTTP, is refused naming the variable, never showing its credentials', () => {
    const bad = () => rules({ HTTPS_PROXY: 'http://user:s3cret@[bad' });
    expect(bad).toThrow(ExpeditorError);
    expect(bad).toThrow(/HTTPS_PROXY is not a URL/);
    expect(() => bad()).not.toThrow(/s3cret/);
    const socks = () => rules({ https_proxy: 'socks5://user:s3cret@proxy:1080' });
    expect(socks).toThrow(/https_proxy names a socks5 proxy \(socks5:\/\/\*\*\*@proxy:1080\); only http/);
    expect(socks).not.toThrow(/s3cret/);
  });
});

describe('NO_PROXY', () => {
  // [NO_PROXY, URL, goes direct]
  const table: [string, string, boolean][] = [
    ['', 'https://api.github.com/', false],
    ['*', 'https://api.github.com/', true],
    [' * ', 'https://anything.example:8443/', true],
    // a name: itself and its subdomains, not a name that merely ends the same
    ['example.com', 'https://example.com/', true],
    ['example.com', 'https://a.b.example.com/', true],
    ['example.com', 'https://notexample.com/', false],
    ['EXAMPLE.com', 'https://Api.Example.COM/', true],
    // a leading dot or *.: subdomains only (as Go and @actions/http-client)
    ['.example.com', 'https://a.example.com/', true],
    ['.example.com', 'https://example.com/', false],
    ['*.example.com', 'https://a.example.com/', true],
    ['*.example.com', 'https://example.com/', false],
    ['example.com.', 'https://a.example.com/', true],
    // ports: an entry with a port matches that port only; URLs without one have their scheme's
    ['example.com:8443', 'https://example.com:8443/', true],
    ['example.com:8443', 'https://example.com/', false],
    ['example.com:443', 'https://example.com/', true],
    ['example.com:80', 'http://example.com/', true],
    ['example.com:80', 'https://example.com/', false],
    // IPs, exact or as CIDR, IPv6 with or without brackets; no DNS is done
    ['10.1.2.3', 'https://10.1.2.3/', true],
    ['10.1.2.3', 'https://10.1.2.4/', false],
    ['10.1.2.3:6443', 'https://10.1.2.3:6443/', true],
    ['10.1.2.3:6443', 'https://10.1.2.3:443/', false],
    ['10.0.0.0/8', 'https://10.200.3.4:6443/', true],
    ['10.0.0.0/8', 'https://11.0.0.1/', false],
    ['10.0.0.0/8', 'https://ten.example/', false],
    ['fd00::/8', 'https://[fd00::5]/', true],
    ['fd00::1', 'https://[fd00:0::1]/', true],
    ['[fd00::1]:6443', 'https://[fd00::1]:6443/', true],
    ['[fd00::1]:6443', 'https://[fd00::1]/', false],
    // lists: commas and spaces, empty items ignored
    ['github.com, .amazonaws.com ,,internal', 'https://sts.us-west-2.amazonaws.com/', true],
    ['github.com .amazonaws.com internal', 'https://kube.internal:6443/', true],
    ['github.com,.amazonaws.com', 'https://ghcr.io/', false],
  ];
  test.each(table)('NO_PROXY=%j, %s: direct %s', (noProxy, url, direct) => {
    expect(via({ HTTPS_PROXY: proxy, HTTP_PROXY: proxy, NO_PROXY: noProxy }, url)).toBe(direct ? undefined : `${proxy}/`);
  });

  test('no_proxy wins over NO_PROXY, as with the proxy variables', () => {
    expect(via({ HTTPS_PROXY: proxy, no_proxy: 'a.example', NO_PROXY: 'b.example' }, 'https://a.example/')).toBeUndefined();
    expect(via({ HTTPS_PROXY: proxy, no_proxy: 'a.example', NO_PROXY: 'b.example' }, 'https://b.example/')).toBe(`${proxy}/`);
  });

  test('loopback goes direct whatever NO_PROXY says (as the runner and @actions/http-client)', () => {
    for (const url of [
      'https://localhost:6443/',
      'http://127.0.0.1:5000/',
      'http://127.9.9.9/',
      'https://[::1]:6443/',
      'http://registry.localhost/',
    ]) {
      expect(via({ HTTPS_PROXY: proxy, HTTP_PROXY: proxy }, url)).toBeUndefined();
    }
    expect(isLoopback('localhost.')).toBe(true);
    expect(isLoopback('128.0.0.1')).toBe(false);
    expect(isLoopback('localhost.example.com')).toBe(false);
  });

  test('the parsed entries and the match on a bare host name', () => {
    expect(parseNoProxy('*.a.io:81,b.io,[::1],10.0.0.0/33')).toEqual([
      { kind: 'host', host: 'a.io', subdomainsOnly: true, port: '81' },
      { kind: 'host', host: 'b.io', subdomainsOnly: false, port: undefined },
      { kind: 'ip', ip: '::1', port: undefined },
    ]);
    expect(bypassed(parseNoProxy('b.io'), 'x.b.io', '443')).toBe(true);
  });
});

describe('proxy credentials', () => {
  test('shown URLs hide them; what is masked is the password, encoded and decoded, and user:password', () => {
    const url = new URL('http://bob:p%40ss%3Aword@proxy.corp:3128');
    expect(shownProxy(url)).toBe('http://***@proxy.corp:3128');
    expect(shownProxy(new URL(proxy))).toBe(proxy);
    expect(proxySecrets(url)).toEqual(['p%40ss%3Aword', 'p@ss:word', 'bob:p@ss:word', 'bob:p%40ss%3Aword']);
    expect(proxySecrets(new URL(proxy))).toEqual([]);
  });

  test('announce masks them first and says once, at debug level, which proxy is used, without them', () => {
    const events: string[] = [];
    const log = { debug: (line: string) => events.push(`debug: ${line}`), mask: (secret: string) => events.push(`mask: ${secret}`) };
    const r = new ProxyRules({ HTTPS_PROXY: 'http://bob:hunter22@proxy.corp:3128', NO_PROXY: '.internal,10.0.0.0/8' }, log);
    r.announce('sts.amazonaws.com:443');
    r.announce('ecs.amazonaws.com:443');
    expect(events).toEqual([
      'mask: hunter22',
      'mask: bob:hunter22',
      'debug: requests go through a proxy (HTTPS_PROXY=http://***@proxy.corp:3128), the first to sts.amazonaws.com:443; not for NO_PROXY .internal,10.0.0.0/8; loopback hosts go direct',
    ]);
  });
});

describe('clients', () => {
  test('the AWS SDK config gets agents only when a proxy is set', () => {
    expect(clientConfig({ region: 'us-west-2', proxy: rules({}) })).toStrictEqual({ region: 'us-west-2', maxAttempts: 1 });
    const config = clientConfig({ region: 'us-west-2', proxy: rules({ HTTPS_PROXY: proxy }) });
    expect(config.requestHandler?.httpsAgent).toBeDefined();
    expect(config.requestHandler?.httpAgent).toBeUndefined();
  });

  test('node:http requests get an agent only behind a proxy, one per scheme, shared', () => {
    const r = rules({ HTTPS_PROXY: proxy, HTTP_PROXY: proxy });
    expect(agentFor('https://x.example/', rules({}))).toBeUndefined();
    expect(agentFor('https://x.example/', r)).toBe(agentFor('https://y.example/', r));
    expect(agentFor('http://x.example/', r)).not.toBe(agentFor('https://x.example/', r));
  });
});
