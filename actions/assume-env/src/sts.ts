// What assume-env needs from AWS STS, as a plain interface: the core takes it, the edge
// (sts-client.ts) implements it with the AWS SDK, pointed wherever the caller says.

export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string | undefined;
  expiration?: Date | undefined;
}

export interface AssumedRole {
  credentials: AwsCredentials;
  /** The session's ARN, arn:aws:sts::<account>:assumed-role/<role>/<session>. */
  assumedRoleArn: string;
}

export interface CallerIdentity {
  account: string;
  arn: string;
}

/** Session policies that limit a session below its role's permissions (STS Policy and PolicyArns). */
export interface SessionPolicies {
  /** A policy document, as JSON text. */
  policy?: string | undefined;
  /** Managed policy ARNs. */
  policyArns?: string[] | undefined;
}

export interface StsApi {
  /** Unsigned: the token is the credential. */
  assumeRoleWithWebIdentity(
    input: { roleArn: string; sessionName: string; token: string; durationSeconds: number } & SessionPolicies,
    signal: AbortSignal,
  ): Promise<AssumedRole>;
  /** Signed with `credentials` (role chaining). */
  assumeRole(
    credentials: AwsCredentials,
    input: {
      roleArn: string;
      sessionName: string;
      durationSeconds: number;
      tags: { Key: string; Value: string }[];
      /** Keys of `tags` that pass on to roles this session assumes. */
      transitiveTagKeys?: string[] | undefined;
      externalId?: string | undefined;
    } & SessionPolicies,
    signal: AbortSignal,
  ): Promise<AssumedRole>;
  callerIdentity(credentials: AwsCredentials, signal: AbortSignal): Promise<CallerIdentity>;
  /**
   * The credentials already in the environment (variables, profile, container or instance role);
   * throws NoAmbientCredentialsError when there are none.
   */
  ambientCredentials(): Promise<AwsCredentials>;
}

/** Makes the STS interface for a region; loads the SDK when first called, after validation. */
export type StsFactory = (region: string) => Promise<StsApi>;

export class NoAmbientCredentialsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NoAmbientCredentialsError';
  }
}
