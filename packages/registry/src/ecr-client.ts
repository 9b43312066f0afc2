// EcrApi over @aws-sdk/client-ecr. Imported dynamically by action.ts, so a build for any other
// registry never loads the SDK. Retries are withRetry's, by error kind: the client makes one
// attempt per call (clientConfig), so the SDK's own retries never nest inside them.
import {
  CreateRepositoryCommand,
  DescribeRepositoriesCommand,
  ECRClient,
  GetAuthorizationTokenCommand,
  RepositoryAlreadyExistsException,
  RepositoryNotFoundException,
} from '@aws-sdk/client-ecr';
import { clientConfig, type ClientOptions } from '@expeditor/aws/clients';
import { withRetry } from '@expeditor/shared/retry';
import { decodeAuthorizationToken, type EcrApi } from './ecr.ts';

export function ecrApi(client: ECRClient, signal?: AbortSignal): EcrApi {
  const retry = <T>(fn: () => Promise<T>): Promise<T> => withRetry(fn, signal ? { signal } : {});
  const send = { abortSignal: signal };
  return {
    async login(account) {
      const answer = await retry(() =>
        // registryIds is deprecated but still names which registry the token is for.
        client.send(new GetAuthorizationTokenCommand({ registryIds: [account] }), send),
      );
      const data = answer.authorizationData?.[0];
      if (!data?.authorizationToken) throw new Error(`ECR returned no authorization token for account ${account}`);
      const { username, password } = decodeAuthorizationToken(data.authorizationToken);
      return {
        username,
        password,
        token: data.authorizationToken,
        proxyEndpoint: data.proxyEndpoint,
        expiresAt: data.expiresAt,
      };
    },
    async ensureRepository(account, name) {
      try {
        await retry(() => client.send(new DescribeRepositoriesCommand({ registryId: account, repositoryNames: [name] }), send));
        return 'exists';
      } catch (error) {
        if (!(error instanceof RepositoryNotFoundException)) throw error;
      }
      try {
        await retry(() =>
          client.send(
            new CreateRepositoryCommand({
              registryId: account,
              repositoryName: name,
              // A tag is a commit: it must never point at another image later.
              imageTagMutability: 'IMMUTABLE',
              imageScanningConfiguration: { scanOnPush: true },
            }),
            send,
          ),
        );
        return 'created';
      } catch (error) {
        // Another job created it between the two calls.
        if (error instanceof RepositoryAlreadyExistsException) return 'exists';
        throw error;
      }
    },
  };
}

/** The edge: a client for the region; endpoint and credentials from the SDK's usual chain unless given. */
export function createEcrApi(region: string, signal?: AbortSignal, options: Omit<ClientOptions, 'region'> = {}): EcrApi {
  return ecrApi(new ECRClient(clientConfig({ ...options, region })), signal);
}
