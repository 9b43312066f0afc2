// Which repository to build into: the repository input, else image.repository from the
// environment file; checked before any network call, with the fault named where it was written.
import { ExpeditorError, InputError } from '@expeditor/shared/errors';
import { quote } from '@expeditor/shared/inputs';
import { Settings } from '@expeditor/shared/settings';
import { parseRepository, repositoryExpected, repositoryPattern, type Repository } from './reference.ts';

export interface ResolvedRepository {
  repository: Repository;
  /** Where it came from: `input 'repository'` or `<file>: image.repository`. */
  from: string;
}

export async function resolveRepository(
  input: string | undefined,
  config: { workspace: string; shownAs: string },
): Promise<ResolvedRepository> {
  let fromFile: string | undefined;
  if (!input) {
    const { configExists } = await import('@expeditor/shared/config');
    if (!configExists(config.workspace, config.shownAs)) {
      throw new InputError('repository', `is required: give it, or set image.repository in ${config.shownAs}`);
    }
    // The file's parser and schema (yaml, zod) load only when the file is used.
    const { loadConfig } = await import('@expeditor/shared/config');
    fromFile = loadConfig(config.workspace, config.shownAs).image.repository;
  }
  const settings = new Settings();
  const value =
    settings.pick(
      'repository',
      { name: 'repository', value: input },
      fromFile === undefined ? undefined : { key: `${config.shownAs}: image.repository`, value: fromFile },
    ) ?? '';
  if (!repositoryPattern.test(value)) {
    if (input) throw new InputError('repository', `expected ${repositoryExpected}, got ${quote(value)}`);
    throw new ExpeditorError(`${config.shownAs}: image.repository: expected ${repositoryExpected}, got ${quote(value)}`, {
      key: 'image.repository',
      unchanged: 'nothing was changed',
      next: `fix image.repository in ${config.shownAs}, or give the 'repository' input`,
    });
  }
  return { repository: parseRepository(value), from: settings.provenance[0]?.from ?? 'input' };
}
