// AccessDeniedError says which permission to add: the one AWS's message names when it is not the
// call's own (RegisterTaskDefinition refused for iam:PassRole on a role it passes), else the call's.
import { describe, expect, it } from 'vitest';
import { AccessDeniedError, deniedIn } from '@expeditor/aws/call';

const refusal = (action: string, resource: string) =>
  Object.assign(
    new Error(
      `User: arn:aws:sts::333333333333:assumed-role/deploy/gha is not authorized to perform: ${action} on resource: ${resource} because no identity-based policy allows the ${action} action`,
    ),
    { name: 'AccessDeniedException' },
  );

describe('AccessDeniedError', () => {
  it('names the permission AWS names when the call needs a second one', () => {
    const error = new AccessDeniedError(
      'ecs:RegisterTaskDefinition',
      'task definition family app',
      refusal('iam:PassRole', 'arn:aws:iam::333333333333:role/app-task'),
    );
    expect(error.message).toContain('ecs:RegisterTaskDefinition on task definition family app was denied: ');
    expect(error.next).toBe(
      "allow iam:PassRole on arn:aws:iam::333333333333:role/app-task (ecs:RegisterTaskDefinition on task definition family app needs it) in the policy of the role this job uses (assume-env's role for the environment)",
    );
  });

  it("names the call's own action when AWS names that one, or none", () => {
    const own = new AccessDeniedError(
      'ecs:UpdateService',
      'service web',
      refusal('ecs:UpdateService', 'arn:aws:ecs:us-west-2:333333333333:service/c/web'),
    );
    expect(own.next).toBe(
      "allow ecs:UpdateService on service web in the policy of the role this job uses (assume-env's role for the environment)",
    );
    const bare = new AccessDeniedError(
      'ecs:UpdateService',
      'service web',
      Object.assign(new Error('Access Denied'), { name: 'AccessDenied' }),
    );
    expect(bare.next).toBe(own.next);
    expect(deniedIn(new Error('Access Denied'))).toBeUndefined();
  });

  it.each(['UnrecognizedClientException', 'InvalidClientTokenId', 'ExpiredTokenException'])(
    'a %s says the credentials were not accepted, and to renew them rather than change the policy',
    (name) => {
      const error = new AccessDeniedError(
        'ecs:DescribeServices',
        'service web in cluster prod',
        Object.assign(new Error('The security token included in the request is invalid.'), { name }),
      );
      expect(error.message).toBe(
        `ecs:DescribeServices on service web in cluster prod was refused: the credentials were not accepted: ${name}: The security token included in the request is invalid.`,
      );
      expect(error.next).toMatch(/^the job's AWS credentials are invalid or expired: run assume-env earlier in this job/);
      expect(error.next).not.toMatch(/allow ecs:DescribeServices/);
    },
  );
});
