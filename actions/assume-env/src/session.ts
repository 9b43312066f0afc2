// Names and tags the session carries into CloudTrail, sanitised to what STS accepts.

/** STS: [\w+=,.@-]{2,64}. */
const SESSION_NAME_MAX = 64;

/**
 * `gha-<owner>-<repo>-<run id>-<attempt>`: CloudTrail shows which run did what. The run part is
 * kept whole; a long repository name is cut instead.
 */
export function sessionName(repository: string, runId: string, runAttempt: string): string {
  const clean = (text: string): string => text.replace(/[^\w+=,.@-]+/g, '-');
  const run = runId ? `-${clean(runId)}-${clean(runAttempt || '1')}` : '';
  const base = clean(`gha-${repository || 'expeditor'}`).replace(/-+$/, '');
  const name = `${base.slice(0, Math.max(4, SESSION_NAME_MAX - run.length))}${run}`.slice(0, SESSION_NAME_MAX);
  return name.length >= 2 ? name : 'gha-expeditor';
}

/** The keys of the session tags assume-env sends on a chained AssumeRole, in this order. */
export const SESSION_TAG_KEYS = ['Repository', 'Workflow', 'RunId', 'Commit', 'Actor', 'Environment'] as const;
export type SessionTagKey = (typeof SESSION_TAG_KEYS)[number];

export interface SessionTag {
  Key: string;
  Value: string;
}

// Tag values: letters, spaces, digits and _ . : / = + - @, at most 256.
const TAG_VALUE_MAX = 256;
const notTagCharacter = /[^\p{L}\p{Z}\p{N}_.:/=+\-@]/gu;

export interface TagSource {
  repository: string;
  workflow: string;
  runId: string;
  sha: string;
  actor: string;
  environment: string | undefined;
}

/** Session tags for AssumeRole (web identity takes its tags from the token, not the request). */
export function sessionTags(source: TagSource): SessionTag[] {
  const entries: [SessionTagKey, string | undefined][] = [
    ['Repository', source.repository],
    ['Workflow', source.workflow],
    ['RunId', source.runId],
    ['Commit', source.sha],
    ['Actor', source.actor],
    ['Environment', source.environment],
  ];
  return entries
    .map(([Key, value]) => ({ Key, Value: (value ?? '').replace(notTagCharacter, '_').slice(0, TAG_VALUE_MAX) }))
    .filter((tag) => tag.Value !== '');
}
