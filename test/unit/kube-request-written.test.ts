// connectKube on EKS sends DescribeCluster before client-node loads (it loads once the request is
// written, so it no longer holds the request back), and still connects when no HTTP request is
// made at all; nextRequestWritten, which it uses, resolves on the next request's 'finish'.
import { channel } from 'node:diagnostics_channel';
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { connectKube, type EksClientLike } from '@expeditor/kube/connect';
import { nextRequestWritten } from '@expeditor/kube/request-written';

const events: string[] = [];

vi.mock('../../packages/kube/src/client-node.ts', async (original) => {
  events.push('client-node loaded');
  return await original();
});

const server = createServer((req, res) => {
  events.push(`server got ${req.method} ${req.url}`);
  req.resume();
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(
    JSON.stringify({
      cluster: { endpoint: 'https://127.0.0.1:9', certificateAuthority: { data: Buffer.from('ca').toString('base64') }, status: 'ACTIVE' },
    }),
  );
});
let port = 0;
beforeAll(async () => {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => server.close());

const settled = async (p: Promise<void>): Promise<boolean> => {
  let done = false;
  void p.then(() => {
    done = true;
  });
  // A few turns of the event loop: a promise that is resolved is seen as such by then.
  for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
  return done;
};

/** An EKS client whose DescribeCluster is one plain HTTP request to the local server. */
const httpEks: EksClientLike = {
  send: () =>
    new Promise((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, method: 'POST', path: '/describe-cluster' }, (res) => {
        let body = '';
        res.on('data', (c: Buffer) => {
          body += c.toString();
        });
        res.on('end', () => resolve(JSON.parse(body)));
      });
      req.on('finish', () => events.push('describe written'));
      req.on('error', reject);
      req.end('{}');
    }),
};

const target = (eks: EksClientLike) => ({
  cluster: 'shop',
  region: 'us-west-2',
  eks,
  credentials: async () => ({ accessKeyId: 'AKIATEST', secretAccessKey: 'test' }),
});

describe('nextRequestWritten', () => {
  it('resolves once the next request is written, not before, and stops watching', async () => {
    const sent = nextRequestWritten();
    expect(await settled(sent.written)).toBe(false);
    const answered = new Promise<void>((resolve) => {
      request({ host: '127.0.0.1', port, method: 'POST', path: '/one' }, (res) => res.resume().on('end', resolve)).end('{}');
    });
    await sent.written;
    await answered;
    expect(channel('http.client.request.start').hasSubscribers).toBe(false);
  });

  it('resolves for a request refused before it is written', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const free = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    const sent = nextRequestWritten();
    request({ host: '127.0.0.1', port: free })
      .on('error', () => undefined)
      .end();
    await sent.written;
  });

  it('settle() resolves without any request and stops watching', async () => {
    const sent = nextRequestWritten();
    sent.settle();
    expect(await settled(sent.written)).toBe(true);
    expect(channel('http.client.request.start').hasSubscribers).toBe(false);
  });
});

describe('connectKube on EKS', () => {
  it('writes DescribeCluster before client-node loads, and connects to the endpoint it answered', async () => {
    events.length = 0;
    const c = await connectKube({ eks: target(httpEks), verify: false });
    expect(events).toContain('server got POST /describe-cluster');
    expect(events.indexOf('describe written')).toBeGreaterThanOrEqual(0);
    expect(events.indexOf('describe written')).toBeLessThan(events.indexOf('client-node loaded'));
    expect(c.server).toBe('https://127.0.0.1:9');
    expect(c.source).toMatchObject({ kind: 'eks', cluster: 'shop', region: 'us-west-2' });
  });

  it('still connects when DescribeCluster makes no HTTP request (nothing to wait for)', async () => {
    const inMemory: EksClientLike = {
      send: async () => ({
        cluster: {
          endpoint: 'https://127.0.0.1:10',
          certificateAuthority: { data: Buffer.from('ca').toString('base64') },
          status: 'ACTIVE',
        },
      }),
    };
    const c = await connectKube({ eks: target(inMemory), verify: false });
    expect(c.server).toBe('https://127.0.0.1:10');
    expect(channel('http.client.request.start').hasSubscribers).toBe(false);
  });
});
