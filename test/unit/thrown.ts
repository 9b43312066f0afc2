// What a call throws, for table tests of refusals: the error itself, or a failed test when the
// call returns instead.
import { expect } from 'vitest';
import { ExpeditorError } from '@expeditor/shared/errors';

export function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  return expect.unreachable('expected an error, but the call returned');
}

/** What a promise rejects with: the error itself, or a failed test when it resolves instead. */
export async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  return expect.unreachable('expected a rejection, but the promise resolved');
}

/** The ExpeditorError `fn` throws; fails the test when it throws nothing or something else. */
export function thrownError(fn: () => unknown): ExpeditorError {
  const error = thrown(fn);
  expect(error).toBeInstanceOf(ExpeditorError);
  return error as ExpeditorError;
}
