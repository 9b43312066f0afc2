// One way to configure an AWS SDK client for every action. The SDK makes one attempt per call:
// retries are ours, by error kind (call.ts, and assume-env's), so they never nest inside the SDK's.
// Region, endpoint and credentials are the SDK's usual chain unless given. Behind a proxy
// (HTTPS_PROXY and the rest, shared/proxy.ts) the SDK's handler gets agents that tunnel through it.
import type { Agent as HttpAgent } from 'node:http';
import type { Agent as HttpsAgent } from 'node:https';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@aws-sdk/types';
import { ExpeditorError } from '@expeditor/shared/errors';
import { type ProxyRules, runnerProxy } from '@expeditor/shared/proxy';
import { proxyAgents } from '@expeditor/shared/proxy-agents';
import { partitionOf } from './partitions.ts';

export { dnsSuffixOf, type Partition, partitionOf } from './partitions.ts';

export interface ClientOptions {
  region?: string | undefined;
  /** An endpoint for this client only; without it the SDK resolves one (AWS_ENDPOINT_URL, region). */
  endpoint?: string | undefined;
  credentials?: AwsCredentialIdentity | AwsCredentialIdentityProvider | undefined;
  /** The proxy rules (default: the runner's environment's). */
  proxy?: ProxyRules | undefined;
}

export interface ClientConfig {
  region?: string;
  endpoint?: string;
  credentials?: AwsCredentialIdentity | AwsCredentialIdentityProvider;
  maxAttempts: 1;
  /** Only behind a proxy: the options the SDK makes its NodeHttpHandler from (no import of it here). */
  requestHandler?: { httpAgent?: HttpAgent; httpsAgent?: HttpsAgent };
}

export function clientConfig(options: ClientOptions | string | undefined = {}): ClientConfig {
  const o: ClientOptions = typeof options === 'string' ? { region: options } : options;
  const proxy = o.proxy ?? runnerProxy();
  const agents = proxy.any ? proxyAgents(proxy) : undefined;
  return {
    ...(o.region ? { region: o.region } : {}),
    ...(o.endpoint ? { endpoint: o.endpoint } : {}),
    ...(o.credentials ? { credentials: o.credentials } : {}),
    maxAttempts: 1,
    ...(agents
      ? { requestHandler: { ...(agents.http ? { httpAgent: agents.http } : {}), ...(agents.https ? { httpsAgent: agents.https } : {}) } }
      : {}),
  };
}

/** The client's region as the SDK resolved it, or '' when none is set anywhere. */
export async function resolvedRegion(client: { config: { region: () => Promise<string> } }): Promise<string> {
  try {
    return await client.config.region();
  } catch {
    return '';
  }
}

/**
 * The client's region, or an error saying where one comes from: `message` says what lacks it,
 * `input` names the action's region input when it has one.
 */
export async function requireRegion(
  client: { config: { region: () => Promise<string> } },
  message: string,
  input?: string,
): Promise<string> {
  const region = await resolvedRegion(client);
  if (region) return region;
  throw new ExpeditorError(message, {
    ...(input ? { input } : {}),
    key: 'environments.<name>.aws.region',
    unchanged: 'nothing was changed',
    next: `${input ? `give the '${input}' input, ` : ''}run assume-env first (it exports AWS_REGION), set AWS_REGION, or use an environment whose aws.region is set`,
  });
}

/** The AWS console's origin for a region (China and GovCloud have their own hosts). */
export function consoleOrigin(region: string): string {
  switch (partitionOf(region)) {
    case 'aws-cn':
      return 'https://console.amazonaws.cn';
    case 'aws-us-gov':
      return 'https://console.amazonaws-us-gov.com';
    default:
      return `https://${region}.console.aws.amazon.com`;
  }
}

export function ecsConsoleUrl(region: string, cluster: string, service: string): string {
  return `${consoleOrigin(region)}/ecs/v2/clusters/${encodeURIComponent(cluster)}/services/${encodeURIComponent(service)}/deployments?region=${region}`;
}

export function codeDeployConsoleUrl(region: string, deploymentId: string): string {
  return `${consoleOrigin(region)}/codesuite/codedeploy/deployments/${encodeURIComponent(deploymentId)}?region=${region}`;
}

/**
 * The audience a GitHub OIDC token needs for STS in a region's partition, as
 * configure-aws-credentials sets it: sts.amazonaws.com.cn in China, sts.amazonaws.com elsewhere
 * (GovCloud included).
 */
export function stsAudience(region: string): string {
  return partitionOf(region) === 'aws-cn' ? 'sts.amazonaws.com.cn' : 'sts.amazonaws.com';
}
