// The edge: STS through the AWS SDK. The SDK is imported here, on first use, so a run that fails
// on its inputs never loads it. Retries are assume-env's own (by error kind), so the SDK makes
// one attempt per call (clientConfig).
import type { AwsCredentialIdentityProvider } from '@aws-sdk/types';
import { clientConfig } from '@expeditor/aws/clients';
import { NoAmbientCredentialsError, type AwsCredentials, type SessionPolicies, type StsApi, type StsFactory } from './sts.ts';

export interface StsClientOptions {
  /** An STS endpoint; without one the SDK's own resolution applies (AWS_ENDPOINT_URL, region). */
  endpoint?: string | undefined;
  /** Where ambient credentials come from; the SDK's default chain when not given. */
  ambient?: AwsCredentialIdentityProvider | undefined;
}

/** Policy and PolicyArns as STS takes them, left out when not given. */
function policies(input: SessionPolicies): { Policy?: string; PolicyArns?: { arn: string }[] } {
  return {
    ...(input.policy ? { Policy: input.policy } : {}),
    ...(input.policyArns?.length ? { PolicyArns: input.policyArns.map((arn) => ({ arn })) } : {}),
  };
}

export function stsFactory(options: StsClientOptions = {}): StsFactory {
  return async (region) => {
    const sdk = await import('@aws-sdk/client-sts');
    const client = (credentials?: AwsCredentials) => new sdk.STSClient(clientConfig({ region, endpoint: options.endpoint, credentials }));
    const assumed = (response: {
      Credentials?: { AccessKeyId?: string; SecretAccessKey?: string; SessionToken?: string; Expiration?: Date };
      AssumedRoleUser?: { Arn?: string };
    }) => {
      const c = response.Credentials;
      if (!c?.AccessKeyId || !c.SecretAccessKey) throw new Error('STS answered without credentials');
      return {
        credentials: {
          accessKeyId: c.AccessKeyId,
          secretAccessKey: c.SecretAccessKey,
          sessionToken: c.SessionToken,
          expiration: c.Expiration,
        },
        assumedRoleArn: response.AssumedRoleUser?.Arn ?? '',
      };
    };
    const api: StsApi = {
      async assumeRoleWithWebIdentity(input, signal) {
        const response = await client().send(
          new sdk.AssumeRoleWithWebIdentityCommand({
            RoleArn: input.roleArn,
            RoleSessionName: input.sessionName,
            WebIdentityToken: input.token,
            DurationSeconds: input.durationSeconds,
            ...policies(input),
          }),
          { abortSignal: signal },
        );
        return assumed(response);
      },
      async assumeRole(credentials, input, signal) {
        const response = await client(credentials).send(
          new sdk.AssumeRoleCommand({
            RoleArn: input.roleArn,
            RoleSessionName: input.sessionName,
            DurationSeconds: input.durationSeconds,
            ...(input.tags.length ? { Tags: input.tags } : {}),
            ...(input.transitiveTagKeys?.length ? { TransitiveTagKeys: input.transitiveTagKeys } : {}),
            ...(input.externalId ? { ExternalId: input.externalId } : {}),
            ...policies(input),
          }),
          { abortSignal: signal },
        );
        return assumed(response);
      },
      async callerIdentity(credentials, signal) {
        const response = await client(credentials).send(new sdk.GetCallerIdentityCommand({}), { abortSignal: signal });
        return { account: response.Account ?? '', arn: response.Arn ?? '' };
      },
      async ambientCredentials() {
        const provider = options.ambient ?? (await import('@aws-sdk/credential-provider-node')).defaultProvider();
        try {
          const c = await provider();
          return { accessKeyId: c.accessKeyId, secretAccessKey: c.secretAccessKey, sessionToken: c.sessionToken, expiration: c.expiration };
        } catch (error) {
          if ((error as { name?: string }).name === 'CredentialsProviderError') {
            throw new NoAmbientCredentialsError((error as Error).message.split('\n', 1)[0] ?? 'no credentials found');
          }
          throw error;
        }
      },
    };
    return api;
  };
}
