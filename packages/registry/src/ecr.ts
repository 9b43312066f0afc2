// What the actions ask of Amazon ECR: a registry login and (build-image) the repository. The
// core sees only this interface; ecr-client.ts implements it with @aws-sdk/client-ecr, loaded
// only when the repository is on ECR.

export interface EcrLogin {
  username: string;
  password: string;
  /** The whole authorization token (base64 of username:password), also a secret. */
  token: string;
  /** `https://<account>.dkr.ecr.<region>.amazonaws.com` */
  proxyEndpoint: string | undefined;
  expiresAt: Date | undefined;
}

export interface EcrApi {
  /** GetAuthorizationToken for the registry of `account`. */
  login(account: string): Promise<EcrLogin>;
  /**
   * Creates the repository if it is missing, with tag immutability and scan on push on.
   * Returns whether it was created or already there.
   */
  ensureRepository(account: string, name: string): Promise<'created' | 'exists'>;
}

/** Makes the ECR API for a region (the client is created at the edge, after inputs are valid). */
export type EcrFactory = (region: string) => Promise<EcrApi>;

/** Splits an ECR authorization token (base64 `AWS:password`). */
export function decodeAuthorizationToken(token: string): { username: string; password: string } {
  const text = Buffer.from(token, 'base64').toString('utf8');
  const colon = text.indexOf(':');
  if (colon <= 0) throw new Error('the ECR authorization token is not base64 of user:password');
  return { username: text.slice(0, colon), password: text.slice(colon + 1) };
}
