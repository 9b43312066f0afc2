// Image references as Docker reads them: which registry, which repository there, which tag.
import { describe, expect, it } from 'vitest';
import { parseImageRef } from '../../packages/registry/src/image-ref.ts';

describe('parseImageRef', () => {
  it('a bare name is Docker Hub library/<name>:latest', () => {
    expect(parseImageRef('nginx')).toEqual({
      image: 'nginx',
      repository: 'nginx',
      host: 'docker.io',
      address: 'registry-1.docker.io',
      name: 'library/nginx',
      tag: 'latest',
      digest: undefined,
    });
  });

  it('a user/repo name is on Docker Hub without library/', () => {
    expect(parseImageRef('bitnami/redis:7.2')).toMatchObject({
      host: 'docker.io',
      name: 'bitnami/redis',
      tag: '7.2',
      repository: 'bitnami/redis',
    });
  });

  it('docker.io and index.docker.io written out are Docker Hub too', () => {
    expect(parseImageRef('docker.io/nginx:1')).toMatchObject({
      host: 'docker.io',
      name: 'library/nginx',
      tag: '1',
      repository: 'docker.io/nginx',
    });
    expect(parseImageRef('index.docker.io/library/nginx')).toMatchObject({
      host: 'docker.io',
      address: 'registry-1.docker.io',
      name: 'library/nginx',
    });
  });

  it('a host with a port: the port belongs to the host, not the tag', () => {
    expect(parseImageRef('127.0.0.1:5000/team/app')).toMatchObject({
      host: '127.0.0.1:5000',
      address: '127.0.0.1:5000',
      name: 'team/app',
      tag: 'latest',
      repository: '127.0.0.1:5000/team/app',
    });
    expect(parseImageRef('localhost:5000/app:v2')).toMatchObject({ host: 'localhost:5000', name: 'app', tag: 'v2' });
    expect(parseImageRef('localhost/app')).toMatchObject({ host: 'localhost', name: 'app' });
  });

  it('an ECR or GHCR host keeps the whole path as the name', () => {
    expect(parseImageRef('123456789012.dkr.ecr.us-west-2.amazonaws.com/shop/api:abc')).toMatchObject({
      host: '123456789012.dkr.ecr.us-west-2.amazonaws.com',
      name: 'shop/api',
      tag: 'abc',
    });
    expect(parseImageRef('ghcr.io/acme/app')).toMatchObject({ host: 'ghcr.io', name: 'acme/app', tag: 'latest' });
  });

  it('a digest: no tag is implied; a tag written beside it is kept', () => {
    const digest = `sha256:${'a'.repeat(64)}`;
    expect(parseImageRef(`nginx@${digest}`)).toMatchObject({ name: 'library/nginx', tag: undefined, digest, repository: 'nginx' });
    expect(parseImageRef(`127.0.0.1:5000/app:1@${digest}`)).toMatchObject({
      host: '127.0.0.1:5000',
      tag: '1',
      digest,
      repository: '127.0.0.1:5000/app',
    });
  });
});
