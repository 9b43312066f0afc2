// What is left unchanged when a registry step fails after the build: said on the error, so the
// run's failure tells whether the image is there and whether a re-run builds again.
import { ExpeditorError } from '@expeditor/shared/errors';

export const nothingBuilt = 'nothing was built or pushed';
export const pushedButUnread = 'the image may have been pushed, but its digest could not be read back, so no image output was produced';
export const pushedButTagsMissing =
  'the image is in the registry under its main tag, but not every extra tag points at it; no image output was produced (a re-run adds the missing tags without building)';

/** Adds what was left unchanged to an error from a step that did not say. */
export async function unchangedOnError<T>(promise: Promise<T>, unchanged: string): Promise<T> {
  try {
    return await promise;
  } catch (error) {
    if (error instanceof ExpeditorError && !error.unchanged) {
      throw new ExpeditorError(error.message, { unchanged, next: error.next, input: error.input, key: error.key, cause: error.cause });
    }
    throw error;
  }
}
