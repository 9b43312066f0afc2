import { describe, expect, it } from 'vitest';
import { imageLabels } from '../../actions/build-image/src/labels.ts';
import { InputError } from '../../packages/shared/src/errors.ts';

const created = new Date('2025-03-14T09:26:53Z');
const revision = '3f9c2d81a0b4e5c6d7e8f90123456789abcdef01';

describe('imageLabels', () => {
  it.each([
    [
      "the caller's labels plus the OCI ones",
      { team: 'checkout', 'com.acme.cost-center': 'cc-4711' },
      'https://github.com/acme/shop',
      {
        team: 'checkout',
        'com.acme.cost-center': 'cc-4711',
        'org.opencontainers.image.revision': revision,
        'org.opencontainers.image.source': 'https://github.com/acme/shop',
        'org.opencontainers.image.created': '2025-03-14T09:26:53.000Z',
      },
    ],
    [
      'no source label without a source',
      {},
      undefined,
      { 'org.opencontainers.image.revision': revision, 'org.opencontainers.image.created': '2025-03-14T09:26:53.000Z' },
    ],
  ])('%s', (_what, labels, source, expected) => {
    expect(imageLabels(labels, { revision, source, created })).toEqual(expected);
  });

  it.each(['org.opencontainers.image.revision', 'org.opencontainers.image.source', 'org.opencontainers.image.created'])(
    'refuses %s from the caller',
    (name) => {
      expect(() => imageLabels({ [name]: 'x' }, { revision, source: undefined, created })).toThrow(InputError);
      expect(() => imageLabels({ [name]: 'x' }, { revision, source: undefined, created })).toThrow(
        `input 'labels': ${name} is set by build-image itself`,
      );
    },
  );
});
