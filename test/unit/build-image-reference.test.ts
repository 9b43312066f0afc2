import { describe, expect, it } from 'vitest';
import { ecrRegistryOf, isLoopback, parseRepository, repositoryPattern, tagPattern } from '../../actions/build-image/src/reference.ts';

describe('build-image repository names', () => {
  it.each([
    ['123456789012.dkr.ecr.us-west-2.amazonaws.com/shop/web', '123456789012.dkr.ecr.us-west-2.amazonaws.com', 'shop/web'],
    ['127.0.0.1:5000/team/app', '127.0.0.1:5000', 'team/app'],
    ['ghcr.io/acme/checkout-api', 'ghcr.io', 'acme/checkout-api'],
    ['registry.gitlab.com/acme/platform/billing/worker', 'registry.gitlab.com', 'acme/platform/billing/worker'],
    ['localhost:5000/app', 'localhost:5000', 'app'],
  ])('parseRepository(%s) splits host %s and path %s', (full, host, name) => {
    expect(repositoryPattern.test(full)).toBe(true);
    expect(parseRepository(full)).toEqual({ host, name, full });
  });

  it.each([
    ['no registry host', 'web'],
    ['a scheme', 'https://ghcr.io/acme/web'],
    ['a tag', 'ghcr.io/acme/web:latest'],
    ['a digest', 'ghcr.io/acme/web@sha256:0f1e'],
    ['upper case in the path', 'ghcr.io/Acme/Web'],
    ['a trailing slash', 'ghcr.io/acme/'],
    ['a path component starting with a separator', 'ghcr.io/acme/-web'],
  ])('refuses a repository with %s: %s', (_what, full) => {
    expect(repositoryPattern.test(full)).toBe(false);
  });

  it.each([
    ['3f9c2d81a0b4e5c6d7e8f90123456789abcdef01', true],
    ['v1.4.2', true],
    ['release_2025-01', true],
    ['.hidden', false],
    ['-rc1', false],
    ['a'.repeat(128), true],
    ['a'.repeat(129), false],
    ['feature/login', false],
  ])('tag %s is valid: %s', (tag, valid) => {
    expect(tagPattern.test(tag)).toBe(valid);
  });
});

describe('ecrRegistryOf', () => {
  it.each([
    ['123456789012.dkr.ecr.us-west-2.amazonaws.com', { account: '123456789012', region: 'us-west-2' }],
    ['210987654321.dkr.ecr.eu-central-1.amazonaws.com', { account: '210987654321', region: 'eu-central-1' }],
    ['123456789012.dkr.ecr-fips.us-gov-west-1.amazonaws.com', { account: '123456789012', region: 'us-gov-west-1' }],
    ['123456789012.dkr.ecr-fips.us-east-1.amazonaws.com', { account: '123456789012', region: 'us-east-1' }],
    ['123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn', { account: '123456789012', region: 'cn-north-1' }],
    ['123456789012.dkr.ecr.cn-northwest-1.amazonaws.com.cn', { account: '123456789012', region: 'cn-northwest-1' }],
  ])('%s is ECR: %o', (host, registry) => {
    expect(ecrRegistryOf(host)).toEqual(registry);
  });

  it.each([
    ['ECR Public', 'public.ecr.aws'],
    ['GHCR', 'ghcr.io'],
    ['an account of 11 digits', '12345678901.dkr.ecr.us-west-2.amazonaws.com'],
    ['a look-alike domain', '123456789012.dkr.ecr.us-west-2.amazonaws.com.evil.example'],
    ['a local registry', '127.0.0.1:5000'],
  ])('%s is not ECR (%s)', (_what, host) => {
    expect(ecrRegistryOf(host)).toBeUndefined();
  });
});

describe('isLoopback: plain HTTP only for the loopback interface', () => {
  it.each([
    ['localhost:5000', true],
    ['localhost', true],
    ['127.0.0.1:5000', true],
    ['127.10.0.3:443', true],
    ['[::1]:5000', true],
    ['10.0.0.12:5000', false],
    ['192.168.1.20', false],
    ['localhost.example.com:5000', false],
    ['registry.internal:5000', false],
    ['123456789012.dkr.ecr.us-west-2.amazonaws.com', false],
  ])('%s → %s', (address, loopback) => {
    expect(isLoopback(address)).toBe(loopback);
  });
});
