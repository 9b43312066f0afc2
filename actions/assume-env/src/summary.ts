// The step summary of an assume-env run: the verified account, the role, where the credentials
// came from and what was exported, or why nothing was; and where each value came from. Built
// here, written by the edge (action.ts).
import type { GitHubContext } from '@expeditor/shared/context';
import { Summary, type Cell } from '@expeditor/shared/summary';
import type { AssumeEnvResult, Source } from './assume.ts';
import type { AssumePlan } from './plan.ts';

function heading(plan: AssumePlan): string {
  return `assume-env${plan.environment ? `: ${plan.environment}` : ''}`;
}

/** How the credentials were obtained, in words. */
export function sourceNote(source: Source, audience: string, isAct: boolean, tokenFile?: string): string {
  if (source === 'token-file') return `web identity token from the file ${tokenFile ?? ''} (input 'web-identity-token-file')`;
  return source === 'oidc'
    ? `GitHub OIDC (aud ${audience})`
    : 'credentials already in the environment; OIDC skipped because ACTIONS_ID_TOKEN_REQUEST_URL/ACTIONS_ID_TOKEN_REQUEST_TOKEN are not set' +
        (isAct ? ' (running under act)' : '');
}

/** The facts table of a run that exported credentials. */
export function summaryRows(result: AssumeEnvResult, context: Pick<GitHubContext, 'runUrl' | 'isAct'>): (readonly [string, Cell])[] {
  const { plan, outputs } = result;
  return [
    ['environment', plan.environment ? `${plan.environment} (${plan.configFile})` : 'none (explicit inputs)'],
    ['account', `${outputs.account}, verified by GetCallerIdentity`],
    ['role', outputs.source !== 'ambient' || plan.chainRoleArn ? plan.roleArn : `${plan.roleArn} (not assumed: OIDC skipped)`],
    ...(plan.chainRoleArn ? ([['chained role', plan.chainRoleArn]] as const) : []),
    ...(plan.allowedAccountIds.length ? ([['allowed accounts', plan.allowedAccountIds.join(', ')]] as const) : []),
    ...(plan.sessionPolicy !== undefined || plan.policyArns.length ? ([['session policies', sessionPolicyNote(plan)]] as const) : []),
    ...(plan.externalId ? ([['external id', 'sent with the chained AssumeRole (not shown)']] as const) : []),
    ...(plan.transitiveTagKeys.length ? ([['transitive tags', plan.transitiveTagKeys.join(', ')]] as const) : []),
    ['identity', result.identityArn],
    ['region', outputs.region],
    ['expiration', outputs.expiration || 'unknown (credentials from the environment)'],
    ['source', sourceNote(outputs.source, plan.audience, context.isAct, plan.webIdentityTokenFile)],
    [
      'exported',
      (result.exportedCredentials
        ? 'AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN (masked), AWS_REGION, AWS_DEFAULT_REGION'
        : 'AWS_REGION, AWS_DEFAULT_REGION') +
        (result.credentialOutputs ? '; step outputs aws-access-key-id, aws-secret-access-key, aws-session-token (masked)' : ''),
    ],
    ...(context.runUrl ? ([['run', { text: context.runUrl, href: context.runUrl }]] as const) : []),
  ];
}

export function assumeSummary(result: AssumeEnvResult, context: Pick<GitHubContext, 'runUrl' | 'isAct'>): Summary {
  return new Summary()
    .heading(`${heading(result.plan)} → account ${result.outputs.account}`)
    .facts(summaryRows(result, context))
    .heading('Where the values came from', 3)
    .table(['setting', 'value', 'from'], result.plan.settings.rows());
}

/** A refusal: the message and, for a refused token, its claims and a statement that would have matched. */
export function refusedSummary(plan: AssumePlan, message: string, explanation: readonly string[]): Summary {
  const summary = new Summary().heading(`${heading(plan)}: failed, nothing exported`).paragraph(message);
  if (explanation.length) summary.details('The token and a trust policy statement that would have matched', explanation.join('\n'));
  return summary.heading('Where the values came from', 3).table(['setting', 'value', 'from'], plan.settings.rows());
}

/** The session policies in words: on which role's session, the inline one's size and the managed ARNs. */
function sessionPolicyNote(plan: AssumePlan): string {
  const parts = [...(plan.sessionPolicy !== undefined ? [`inline (${plan.sessionPolicy.length} characters)`] : []), ...plan.policyArns];
  return `${parts.join(', ')} on the session of ${plan.chainRoleArn ?? plan.roleArn}`;
}
