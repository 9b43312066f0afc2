import { describe, expect, it } from 'vitest';
import { classifyError, withRetry } from '../../packages/shared/src/retry.ts';

const awsError = (name: string, status: number) =>
  Object.assign(new Error(`${name} happened`), { name, $metadata: { httpStatusCode: status } });

describe('retry by error kind', () => {
  it('classifies throttling, server, network, access and validation errors', () => {
    expect(classifyError(awsError('ThrottlingException', 400))).toBe('throttling');
    expect(classifyError(awsError('IDPCommunicationError', 400))).toBe('throttling');
    expect(classifyError(awsError('InternalFailure', 500))).toBe('server');
    expect(classifyError(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }))).toBe('network');
    expect(classifyError(new TypeError('fetch failed', { cause: Object.assign(new Error('x'), { code: 'ECONNREFUSED' }) }))).toBe(
      'network',
    );
    // client-node's discovery rewords it; a TLS socket closed in the handshake leaves no code.
    const discovery = new TypeError('fetch failed', {
      cause: new Error('Client network socket disconnected before secure TLS connection was established'),
    });
    discovery.message = `Failed to fetch resource metadata for v1/Service: ${discovery.message}`;
    expect(classifyError(discovery)).toBe('network');
    expect(classifyError(awsError('AccessDenied', 403))).toBe('access');
    expect(classifyError(awsError('InvalidIdentityToken', 400))).toBe('access');
    expect(classifyError(awsError('ValidationException', 400))).toBe('validation');
    expect(classifyError(Object.assign(new Error('conflict'), { code: 409 }))).toBe('validation');
  });

  // These inject faults into a plain function: no server can be told to throttle on demand.
  it('retries throttling until it succeeds', async () => {
    let calls = 0;
    const retried: number[] = [];
    const result = await withRetry(
      async () => {
        calls++;
        if (calls < 3) throw awsError('Throttling', 400);
        return 'ok';
      },
      { minDelayMs: 1, maxDelayMs: 2, onRetry: (_e, attempt) => retried.push(attempt) },
    );
    expect(result).toBe('ok');
    expect(calls).toBe(3);
    expect(retried).toEqual([1, 2]);
  });

  it('never retries an access error', async () => {
    let calls = 0;
    await expect(
      withRetry(
        async () => {
          calls++;
          throw awsError('AccessDenied', 403);
        },
        { minDelayMs: 1 },
      ),
    ).rejects.toMatchObject({ name: 'AccessDenied' });
    expect(calls).toBe(1);
  });

  it('gives up after the given number of retries', async () => {
    let calls = 0;
    await expect(
      withRetry(
        async () => {
          calls++;
          throw awsError('ServiceUnavailable', 503);
        },
        { retries: 2, minDelayMs: 1, maxDelayMs: 1 },
      ),
    ).rejects.toMatchObject({ name: 'ServiceUnavailable' });
    expect(calls).toBe(3);
  });
});

describe('withRetry and reworded fetch errors', () => {
  it('retries a TypeError client-node reworded (p-retry alone gives up on it) and throws the original at the end', async () => {
    let calls = 0;
    const failure = new TypeError('Failed to fetch resource metadata for v1/Service: fetch failed');
    const result = await withRetry(
      async () => {
        calls++;
        if (calls < 3) throw failure;
        return 'ok';
      },
      { minDelayMs: 1 },
    );
    expect([result, calls]).toEqual(['ok', 3]);
    await expect(
      withRetry(
        async () => {
          throw failure;
        },
        { minDelayMs: 1, retries: 1 },
      ),
    ).rejects.toBe(failure);
  });
});
