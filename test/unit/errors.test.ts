import { describe, expect, it } from 'vitest';
import { ExpeditorError, describeError, formatFailure } from '../../packages/shared/src/errors.ts';
import { STSServiceException } from '@aws-sdk/client-sts';

describe('errors people can act on', () => {
  it('turns an AWS SDK error into one line with its name and HTTP status', () => {
    const error = new STSServiceException({
      name: 'AccessDenied',
      $fault: 'client',
      $metadata: { httpStatusCode: 403, requestId: 'r-1' },
      message: 'Not authorized to perform sts:AssumeRoleWithWebIdentity',
    });
    expect(describeError(error)).toBe('AccessDenied (HTTP 403): Not authorized to perform sts:AssumeRoleWithWebIdentity');
  });

  it('reads the message of a Kubernetes Status body instead of dumping it', () => {
    const error = Object.assign(new Error('HTTP-Code: 404\nMessage: Unknown API Status Code!\nBody: {...}'), {
      code: 404,
      body: JSON.stringify({ kind: 'Status', reason: 'NotFound', message: 'services "web" not found' }),
    });
    expect(describeError(error)).toBe('(HTTP 404): NotFound: services "web" not found');
  });

  it('says what was left unchanged and what to do next', () => {
    const error = new ExpeditorError('green is not ready: 1/3 pods available', {
      unchanged: 'blue still serves all traffic',
      next: 'look at the pods of web-green',
    });
    expect(formatFailure(error)).toBe(
      'green is not ready: 1/3 pods available\nUnchanged: blue still serves all traffic.\nNext: look at the pods of web-green',
    );
  });
});
