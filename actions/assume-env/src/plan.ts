import type { GitHubContext } from '@expeditor/shared/context';
import { ExpeditorError, type Origin, originText } from '@expeditor/shared/errors';
import { Settings } from '@expeditor/shared/settings';
import type { AssumeEnvInputs } from './inputs.ts';
import { sessionName, sessionTags, type SessionTag } from './session.ts';

/** Role chaining caps the chained session at one hour, whatever the role allows. */
export const CHAINED_MAX_S = 3600;

export interface AssumePlan {
  environment: string | undefined;
  /** The environment file as the user named it, when one was read. */
  configFile: string | undefined;
  /** The account the exported credentials must belong to. */
  account: string;
  region: string;
  roleArn: string;
  chainRoleArn: string | undefined;
  audience: string;
  sessionName: string;
  durationSeconds: number;
  /** Tags for the chained AssumeRole (none when chaining is off or tags are switched off). */
  chainTags: SessionTag[];
  /** Where each value came from, for the summary. */
  settings: Settings;
  /** Where the value of each setting came from: an input name or a config key. */
  origin: Record<'account' | 'region' | 'role' | 'chain-role', Where>;
}

/** Where a setting came from: an input name or a config key. */
export type Where = Origin;

export type PlanContext = Pick<GitHubContext, 'workspace' | 'repository' | 'runId' | 'runAttempt' | 'workflow' | 'sha' | 'actor'>;

const accountOf = (arn: string): string => /^arn:[^:]+:iam::(\d{12}):/.exec(arn)?.[1] ?? '';

export async function planAssume(inputs: AssumeEnvInputs, context: PlanContext): Promise<AssumePlan> {
  const settings = new Settings();
  const origin: AssumePlan['origin'] = {
    account: { input: 'account' },
    region: { input: 'region' },
    role: { input: 'role-arn' },
    'chain-role': { input: 'chain-role-arn' },
  };
  const name = inputs.environment;
  let fileAws: { account?: string; region?: string; role?: string; 'chain-role'?: string } | undefined;
  let configFile: string | undefined;
  if (name) {
    configFile = inputs.config;
    // The YAML parser and the schema are most of the bundle: loaded only when a file is read.
    const { environmentOf, loadConfig } = await import('@expeditor/shared/config');
    fileAws = environmentOf(loadConfig(context.workspace, inputs.config), name, inputs.config).aws;
    settings.derive('environment', name, "input 'environment'");
  }
  const key = (field: string): string => `environments.${name ?? ''}.aws.${field}`;
  const pick = (setting: keyof AssumePlan['origin'], input: string, value: string | undefined): string | undefined => {
    const fileValue = fileAws?.[setting];
    const chosen = settings.pick(setting, { name: input, value }, fileAws ? { key: key(setting), value: fileValue } : undefined);
    if (chosen !== undefined && (value === undefined || value === '')) origin[setting] = { key: key(setting) };
    return chosen;
  };
  // Inputs guarantee role-arn and region without an environment; the file schema requires them in it.
  const roleArn = pick('role', 'role-arn', inputs.roleArn) ?? '';
  const region = pick('region', 'region', inputs.region) ?? '';
  const chainRoleArn = pick('chain-role', 'chain-role-arn', inputs.chainRoleArn);
  const lastRole = chainRoleArn ?? roleArn;
  const lastRoleSetting = chainRoleArn ? 'chain-role' : 'role';
  let account = pick('account', 'account', inputs.account);
  if (account === undefined) {
    account = settings.derive('account', accountOf(lastRole), `the account of ${originText(origin[lastRoleSetting])}`);
    origin.account = origin[lastRoleSetting];
  }
  if (accountOf(lastRole) !== account) {
    const roleWhere = origin[lastRoleSetting];
    const role = `${chainRoleArn ? 'chained ' : ''}role ${lastRole}`;
    // Blame the input that overrode the file, else the role.
    const blameAccount = origin.account.input !== undefined && roleWhere.input === undefined;
    const where = blameAccount ? origin.account : roleWhere;
    throw new ExpeditorError(
      blameAccount
        ? `${originText(where)}: the credentials must belong to account ${account}, but the ${role} (${originText(roleWhere)}) is in account ${accountOf(lastRole)}`
        : `${originText(where)}: the ${role} is in account ${accountOf(lastRole)}, but the credentials must belong to account ${account} (${originText(origin.account)})`,
      {
        ...where,
        unchanged: 'nothing was changed; no AWS call was made',
        next: chainRoleArn
          ? `chain to a role in account ${account}, or correct the account`
          : `use a role in account ${account} (or chain to one with 'chain-role-arn'), or correct the account`,
      },
    );
  }
  return {
    environment: name,
    configFile,
    account,
    region,
    roleArn,
    chainRoleArn,
    audience: inputs.audience,
    sessionName: inputs.roleSessionName
      ? settings.derive('session name', inputs.roleSessionName, "input 'role-session-name'")
      : settings.derive('session name', sessionName(context.repository, context.runId, context.runAttempt), 'the repository and run'),
    durationSeconds: inputs.durationSeconds,
    chainTags: chainRoleArn && inputs.sessionTags ? sessionTags({ ...context, environment: name }) : [],
    settings,
    origin,
  };
}
