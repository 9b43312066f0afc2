// The post step: at the end of the job, the variables assume-env exports are written empty to
// GITHUB_ENV, as configure-aws-credentials' cleanup does, so no later post step of the job runs
// with the credentials (the SDKs and the AWS CLI treat an empty variable as unset).
import type { Log } from '@expeditor/shared/log';
import type { VariableSink } from './assume.ts';

/** What assume-env exports, and the post step clears. */
export const EXPORTED_VARIABLES = [
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_REGION',
  'AWS_DEFAULT_REGION',
] as const;

export function clearExported(variables: VariableSink, log: Pick<Log, 'info'>): void {
  for (const name of EXPORTED_VARIABLES) variables.exportVariable(name, '');
  log.info(`cleared ${EXPORTED_VARIABLES.join(', ')} for the rest of the job`);
}
