// What a CodeDeploy deployment's description says, as one protocol: deploy-ecs writes who made the
// deployment and the task definition that served before it; bluegreen-switch reads that back to
// roll back a deployment that Succeeded (and writes the same line into its own rollback
// deployments, so a rollback can be rolled back in turn). Pure functions: no network.

const PREVIOUS = 'previous task definition: ';
const recorded = /previous task definition: (arn:aws[a-z-]*:ecs:[^\s;]+)/;

export interface DescriptionParts {
  /** Who made the deployment and what it deploys, e.g. "Expeditor deploy-ecs: <image>". */
  headline: string;
  /** The commit deployed (shortened to 12 characters). */
  commit?: string | undefined;
  /** The workflow run that deployed it. */
  runUrl?: string | undefined;
  /** The task definition that served before this deployment: what a rollback returns to. */
  previousTaskDefinition: string | undefined;
}

/** The description for CreateDeployment: the parts given, joined by "; ". */
export function deploymentDescription(parts: DescriptionParts): string {
  return [
    parts.headline,
    parts.commit ? `commit ${parts.commit.slice(0, 12)}` : '',
    parts.runUrl ? `run ${parts.runUrl}` : '',
    parts.previousTaskDefinition ? `${PREVIOUS}${parts.previousTaskDefinition}` : '',
  ]
    .filter(Boolean)
    .join('; ');
}

/** The task definition a deployment's description records as the one that served before it. */
export function recordedPreviousTaskDefinition(description: string | undefined): string | undefined {
  return recorded.exec(description ?? '')?.[1];
}
