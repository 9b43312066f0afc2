import type { GitHubContext } from '@expeditor/shared/context';
import { ExpeditorError, type Origin, originText, ProblemsError } from '@expeditor/shared/errors';
import { Settings } from '@expeditor/shared/settings';
import { stsAudience } from '@expeditor/aws/clients';
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
  /** Keys of chainTags that pass on to roles assumed from the chained session (TransitiveTagKeys). */
  transitiveTagKeys: string[];
  /** ExternalId of the chained AssumeRole. */
  externalId: string | undefined;
  /**
   * Session policies (Policy, PolicyArns) of the call that makes the exported session: the chained
   * AssumeRole when chaining, else AssumeRoleWithWebIdentity.
   */
  sessionPolicy: string | undefined;
  policyArns: string[];
  /** Accounts the verified identity must also be one of (empty: no such list). */
  allowedAccountIds: string[];
  /** Write the credentials as step outputs too. */
  outputCredentials: boolean;
  /** The web identity token comes from this file (as the user named it) instead of the job's OIDC token. */
  webIdentityTokenFile: string | undefined;
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
  const audience = inputs.audience
    ? settings.derive('audience', inputs.audience, "input 'audience'")
    : settings.derive('audience', stsAudience(region), `the partition of region ${region}`);
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
  const allowedAccountIds = inputs.allowedAccountIds ?? [];
  if (allowedAccountIds.length && !allowedAccountIds.includes(account)) {
    throw new ExpeditorError(
      `input 'allowed-account-ids': the credentials must belong to account ${account} (${settings.provenance.find((p) => p.name === 'account')?.from ?? originText(origin.account)}), which is not among ${allowedAccountIds.join(', ')}`,
      {
        input: 'allowed-account-ids',
        unchanged: 'nothing was changed; no AWS call was made',
        next: `add ${account} to 'allowed-account-ids', or use an environment (or role) of an allowed account`,
      },
    );
  }
  const chainTags = chainRoleArn && inputs.sessionTags ? sessionTags({ ...context, environment: name }) : [];
  const transitiveTagKeys = inputs.transitiveTagKeys ?? [];
  const problems: ExpeditorError[] = [];
  const needsChain = (input: string, what: string): void => {
    problems.push(
      new ExpeditorError(`input '${input}': ${what}, and no chained role is assumed (no 'chain-role-arn' or aws.chain-role)`, {
        input,
        unchanged: 'nothing was changed; no AWS call was made',
        next: `chain to the role that needs it with 'chain-role-arn', or leave '${input}' out`,
      }),
    );
  };
  if (inputs.roleExternalId && !chainRoleArn) {
    needsChain('role-external-id', 'an external id goes with AssumeRole; AssumeRoleWithWebIdentity takes none');
  }
  if (transitiveTagKeys.length) {
    if (!chainRoleArn) {
      needsChain(
        'transitive-tag-keys',
        'session tags are sent only on the chained AssumeRole (a web identity session takes its tags from the token)',
      );
    } else {
      const sent = new Set(chainTags.map((tag) => tag.Key));
      const missing = transitiveTagKeys.filter((key) => !sent.has(key));
      if (missing.length) {
        problems.push(
          new ExpeditorError(
            `input 'transitive-tag-keys': ${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} not sent in this run (sent: ${[...sent].join(', ') || 'none'}); a transitive key must be one of the session's tags`,
            {
              input: 'transitive-tag-keys',
              unchanged: 'nothing was changed; no AWS call was made',
              next: missing.includes('Environment') ? "give 'environment', or leave Environment out" : `leave ${missing.join(', ')} out`,
            },
          ),
        );
      }
    }
  }
  if (problems.length === 1 && problems[0]) throw problems[0];
  if (problems.length) throw new ProblemsError(`${problems.length} problems with the inputs of assume-env`, problems);
  return {
    environment: name,
    configFile,
    account,
    region,
    roleArn,
    chainRoleArn,
    audience,
    sessionName: inputs.roleSessionName
      ? settings.derive('session name', inputs.roleSessionName, "input 'role-session-name'")
      : settings.derive('session name', sessionName(context.repository, context.runId, context.runAttempt), 'the repository and run'),
    durationSeconds: inputs.durationSeconds,
    chainTags,
    transitiveTagKeys,
    externalId: inputs.roleExternalId,
    sessionPolicy: inputs.inlineSessionPolicy,
    policyArns: inputs.managedSessionPolicies ?? [],
    allowedAccountIds,
    outputCredentials: inputs.outputCredentials ?? false,
    webIdentityTokenFile: inputs.webIdentityTokenFile,
    settings,
    origin,
  };
}
