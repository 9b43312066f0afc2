// WWW-Authenticate challenges as registries send them (distribution spec token auth), and the
// anonymous Bearer token flow a tag resolution takes on Docker Hub-style registries.
import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { RegistryClient, parseChallenge } from '../../packages/registry/src/client.ts';
import { memoryLog } from '../../packages/shared/src/log.ts';

describe('parseChallenge', () => {
  it('Docker Hub Bearer: realm, service and scope', () => {
    expect(
      parseChallenge('Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/nginx:pull"'),
    ).toEqual({
      scheme: 'bearer',
      params: { realm: 'https://auth.docker.io/token', service: 'registry.docker.io', scope: 'repository:library/nginx:pull' },
    });
  });

  it('scheme and keys in any case, spaces after commas, unquoted values', () => {
    expect(parseChallenge('bearer Realm="https://ghcr.io/token", Service=ghcr.io')).toEqual({
      scheme: 'bearer',
      params: { realm: 'https://ghcr.io/token', service: 'ghcr.io' },
    });
  });

  it('Basic (ECR, htpasswd registries)', () => {
    expect(parseChallenge('Basic realm="Registry Realm"')).toEqual({ scheme: 'basic', params: { realm: 'Registry Realm' } });
  });

  it('nothing, or a scheme a registry does not use', () => {
    expect(parseChallenge(null)).toBeUndefined();
    expect(parseChallenge('')).toBeUndefined();
    expect(parseChallenge('Negotiate abc')).toBeUndefined();
  });
});

describe('RegistryClient: Bearer challenge → anonymous token → the digest', () => {
  it('follows realm/service/scope, sends the token, reads Docker-Content-Digest', async () => {
    const digest = `sha256:${'b'.repeat(64)}`;
    const seen: string[] = [];
    const server = createServer((req, res) => {
      seen.push(`${req.method} ${req.url} ${req.headers.authorization ?? '-'}`);
      const port = (server.address() as AddressInfo).port;
      if (req.url?.startsWith('/token')) {
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ token: 'anon-token' }));
      } else if (req.headers.authorization !== 'Bearer anon-token') {
        res.statusCode = 401;
        res.setHeader(
          'www-authenticate',
          `Bearer realm="http://127.0.0.1:${port}/token",service="bed",scope="repository:library/app:pull"`,
        );
        res.end();
      } else {
        res.setHeader('docker-content-digest', digest);
        res.setHeader('content-type', 'application/vnd.oci.image.index.v1+json');
        res.end();
      }
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const address = `127.0.0.1:${(server.address() as AddressInfo).port}`;
      const client = new RegistryClient({ host: address, log: memoryLog() });
      expect(await client.headManifest('library/app', 'latest')).toEqual({ digest, mediaType: 'application/vnd.oci.image.index.v1+json' });
      expect(seen).toEqual([
        'HEAD /v2/library/app/manifests/latest -',
        'GET /token?service=bed&scope=repository%3Alibrary%2Fapp%3Apull -',
        'HEAD /v2/library/app/manifests/latest Bearer anon-token',
      ]);
    } finally {
      server.close();
    }
  });
});

describe('RegistryClient: a HEAD answer without Docker-Content-Digest', () => {
  it('GETs the manifest and takes the hash of its body as the digest', async () => {
    const body = JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.docker.distribution.manifest.v2+json', layers: [] });
    const server = createServer((req, res) => {
      res.setHeader('content-type', 'application/vnd.docker.distribution.manifest.v2+json');
      res.end(req.method === 'GET' ? body : undefined);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const client = new RegistryClient({ host: `127.0.0.1:${(server.address() as AddressInfo).port}`, log: memoryLog() });
      const ref = await client.headManifest('team/app', 'v1');
      expect(ref?.digest).toBe(`sha256:${createHash('sha256').update(body).digest('hex')}`);
      expect(client.requests).toEqual({ HEAD: 1, GET: 1 });
    } finally {
      server.close();
    }
  });
});
