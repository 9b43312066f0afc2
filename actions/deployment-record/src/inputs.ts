// deployment-record's inputs, validated before any request; each problem names its input.
import { quote, type ActionInputs } from '@expeditor/shared/inputs';
import { environmentName, escapesWorkspace, imageReference, k8sName, singleLine } from '@expeditor/shared/patterns';

export type Mode = 'start' | 'finish' | 'gate' | 'check' | 'hold';
export type FinishState = 'success' | 'failure' | 'error' | 'cancelled';

export interface RecordInputs {
  mode: Mode;
  environment: string;
  config: string;
  image: string | undefined;
  /** undefined: the file's; 'none': no gate. */
  promoteFrom: string | undefined;
  digest: string | undefined;
  commit: string | undefined;
  rollback: boolean;
  deploymentId: number | undefined;
  state: FinishState | undefined;
  environmentUrl: string | undefined;
  platform: 'ecs' | 'eks' | undefined;
  strategy: 'rolling' | 'blue-green' | undefined;
  production: 'auto' | 'true' | 'false';
  /** The app: must be the environment file's; without a file, the app the records are scoped to. */
  app: string | undefined;
  /** finish, what ran before the deploy (deploy-ecs's previous task definition, deploy-eks's live color). */
  previousTarget: string | undefined;
  /** finish, the image that ran before, when the deploy step knows it. */
  previousImage: string | undefined;
  /** finish and hold, the status's description. */
  description: string | undefined;
  token: string;
  timeoutMs: number;
}

const digestOrImage = /^(sha256:[a-f0-9]{64}|\S+@sha256:[a-f0-9]{64})$/;

export function readRecordInputs(inputs: ActionInputs): RecordInputs {
  const mode = inputs.choice('mode', ['start', 'finish', 'gate', 'check', 'hold'] as const);
  if (!mode) inputs.problem('mode', 'is required: start, finish, gate, check or hold');
  const config = inputs.string('config', { default: '.github/expeditor.yml', maxLength: 1024 });
  if (escapesWorkspace(config)) inputs.problem('config', `must be a relative path inside the workspace, got ${quote(config)}`);
  const promoteFrom = inputs.string('promote-from', { pattern: environmentName, expected: 'an environment name, or none' });
  const result: RecordInputs = {
    mode: mode ?? 'start',
    environment: inputs.string('environment', {
      required: true,
      pattern: environmentName,
      expected: 'an environment name (letters, digits, . _ -)',
    }),
    config,
    image: inputs.string('image', { pattern: imageReference, expected: 'an image reference such as repo@sha256:…' }),
    promoteFrom,
    digest: inputs.string('digest', { pattern: digestOrImage, expected: 'a digest sha256:<64 hex> or an image by digest' }),
    commit: inputs.string('commit', { pattern: /^[0-9a-f]{40}$/, expected: 'a full 40-character commit SHA' }),
    rollback: inputs.boolean('rollback', false),
    deploymentId: inputs.integer('deployment-id', { min: 1 }),
    state: inputs.choice('state', ['success', 'failure', 'error', 'cancelled'] as const),
    environmentUrl: inputs.string('environment-url', { pattern: /^https?:\/\/\S+$/, expected: 'an http(s) URL' }),
    platform: inputs.choice('platform', ['ecs', 'eks'] as const),
    strategy: inputs.choice('strategy', ['rolling', 'blue-green'] as const),
    production: inputs.choice('production', ['auto', 'true', 'false'] as const, 'auto'),
    app: inputs.string('app', { pattern: k8sName, expected: 'an app name (lower-case letters, digits, -)' }),
    previousTarget: inputs.string('previous-target', {
      pattern: /^[A-Za-z0-9][\w.:/+=,@-]{0,1023}$/,
      expected: 'a task definition ARN or a color',
    }),
    previousImage: inputs.string('previous-image', { pattern: imageReference, expected: 'an image reference' }),
    description: inputs.string('description', { pattern: singleLine, maxLength: 140, expected: 'one line of text' }),
    token: inputs.string('token', { required: true, next: 'pass ${{ github.token }} (the default) with deployments: write permission' }),
    timeoutMs: inputs.duration('timeout', '2m'),
  };
  if (result.mode === 'start' && !result.rollback && !result.image) {
    inputs.problem('image', 'is required to start a deployment', "pass build-image's image output");
  }
  if (result.mode === 'start' && result.rollback && result.image) {
    inputs.problem('image', 'is not taken with rollback: the previous passed image is deployed');
  }
  if (result.mode === 'finish') {
    if (result.deploymentId === undefined)
      inputs.problem('deployment-id', 'is required to finish a deployment', "pass the start step's deployment-id output");
    if (!result.state) inputs.problem('state', 'is required to finish a deployment', 'pass ${{ job.status }}');
  }
  if (result.mode === 'hold' && result.deploymentId === undefined)
    inputs.problem('deployment-id', 'is required to hold a deployment', "pass the start step's deployment-id output");
  if (result.mode === 'gate') {
    if (!result.digest && !result.commit) inputs.problem('digest', "is required for the gate (or 'commit')");
    if (promoteFrom === 'none') inputs.problem('promote-from', 'cannot be none for the gate');
  }
  inputs.done('deployment-record');
  return result;
}
