// What a call throws, for table tests of refusals: the error itself, or a failed test when the
// call returns instead.
import { expect } from 'vitest';

export function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  return expect.unreachable('expected an error, but the call returned');
}
