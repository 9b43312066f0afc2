// An HTTP CONNECT proxy for tests, written with node:http: it records every tunnel it is asked for
// (the CONNECT target and the Proxy-Authorization it came with), refuses one without the expected
// credentials (407), and resolves names under `.bed.test` (and kubernetes.default.svc, a name in
// the bed apiserver's certificate) to 127.0.0.1 itself. A client cannot resolve those names, so
// its request can only succeed through this proxy: the bed's servers listen on 127.0.0.1, which
// proxy rules (ours, the runner's, @actions/http-client's) always send direct. A CONNECT to a name
// in `tls` gets TLS ended here with that certificate, then plain HTTP to the server (for a client
// that speaks https to a name, to a plain-HTTP bed server). `preloadHosts` makes a child process
// resolve the same names directly (for NO_PROXY: a host it reaches without the proxy).
import { createServer, type IncomingMessage } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { TLSSocket } from 'node:tls';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export interface Tunnel {
  /** `host:port` as the client asked. */
  target: string;
  /** The decoded user:password of Proxy-Authorization, or undefined. */
  credentials: string | undefined;
  /** Whether the tunnel was let through. */
  allowed: boolean;
}

export interface RecordingProxy {
  /** `http://user:password@127.0.0.1:PORT` (or without credentials). */
  url: string;
  port: number;
  tunnels: Tunnel[];
  /** Targets of the tunnels let through since index `from`. */
  targets(from?: number): string[];
  close(): Promise<void>;
}

export const bedName = (name: string, port: number | string): string => `${name}.bed.test:${port}`;

/** Where the proxy (and preloadHosts) sends a name: 127.0.0.1 for .bed.test and kubernetes.default.svc. */
export function bedAddress(host: string): string {
  return host.endsWith('.bed.test') || host === 'kubernetes.default.svc' ? '127.0.0.1' : host;
}

/** NODE_OPTIONS for a child that should resolve the bed's names itself (see bed-hosts.cjs). */
export const preloadHosts = `--require ${resolve(import.meta.dirname, 'bed-hosts.cjs')}`;

export async function recordingProxy(
  options: { user?: string; password?: string; tls?: Record<string, { key: string; cert: string }> } = {},
): Promise<RecordingProxy> {
  const tunnels: Tunnel[] = [];
  const expected = options.user ? `${options.user}:${options.password ?? ''}` : undefined;
  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    // Only tunnels: a plain request for an absolute URL is not what the clients send.
    tunnels.push({ target: `${req.method} ${req.url}`, credentials: credentialsOf(req), allowed: false });
    res.writeHead(405).end();
  });
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  server.on('connect', (req: IncomingMessage, client: Socket, head: Buffer) => {
    const target = req.url ?? '';
    const credentials = credentialsOf(req);
    const allowed = expected === undefined || credentials === expected;
    tunnels.push({ target, credentials, allowed });
    client.on('error', () => client.destroy());
    if (!allowed) {
      client.end('HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm="bed"\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    const m = /^(.*):(\d+)$/.exec(target);
    const host = (m?.[1] ?? '').replace(/^\[|\]$/g, '');
    const upstream = connect(Number(m?.[2]), bedAddress(host));
    sockets.add(upstream);
    upstream.on('close', () => sockets.delete(upstream));
    upstream.on('error', () => client.destroy());
    upstream.on('connect', () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      const tls = options.tls?.[host];
      const inner: Socket = tls ? new TLSSocket(client, { isServer: true, key: tls.key, cert: tls.cert }) : client;
      if (head.length) upstream.write(head);
      inner.on('error', () => upstream.destroy());
      inner.pipe(upstream);
      upstream.pipe(inner);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  const auth = options.user ? `${encodeURIComponent(options.user)}:${encodeURIComponent(options.password ?? '')}@` : '';
  return {
    url: `http://${auth}127.0.0.1:${port}`,
    port,
    tunnels,
    targets: (from = 0) =>
      tunnels
        .slice(from)
        .filter((t) => t.allowed)
        .map((t) => t.target),
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

function credentialsOf(req: IncomingMessage): string | undefined {
  const header = req.headers['proxy-authorization'];
  const m = typeof header === 'string' ? /^Basic (.+)$/i.exec(header) : null;
  return m ? Buffer.from(m[1] as string, 'base64').toString('utf8') : undefined;
}

/** A self-signed certificate for `names` (its own CA: give it to a child as NODE_EXTRA_CA_CERTS). */
export function testCertificate(dir: string, names: string[]): { key: string; cert: string; certFile: string } {
  const keyFile = join(dir, 'proxy-tls.key');
  const certFile = join(dir, 'proxy-tls.crt');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-days',
      '2',
      '-keyout',
      keyFile,
      '-out',
      certFile,
      '-subj',
      `/CN=${names[0]}`,
      '-addext',
      `subjectAltName=${names.map((n) => `DNS:${n}`).join(',')}`,
    ],
    { stdio: 'ignore' },
  );
  return { key: readFileSync(keyFile, 'utf8'), cert: readFileSync(certFile, 'utf8'), certFile };
}
