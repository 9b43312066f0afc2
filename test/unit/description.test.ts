// The deployment-description protocol: deploy-ecs (and a switch rollback) record the task
// definition that served before; the switch reads it back to roll back after success.
import { describe, expect, it } from 'vitest';
import { deploymentDescription, recordedPreviousTaskDefinition } from '../../packages/codedeploy/src/description.ts';

const image = `123456789012.dkr.ecr.us-west-2.amazonaws.com/shop-web@sha256:${'c'.repeat(64)}`;
const previous = 'arn:aws:ecs:us-west-2:123456789012:task-definition/shop-web:6';
const sha = '9f2c4e1a7b3d5f60718293a4b5c6d7e8f9012345';
const runUrl = 'https://github.com/acme/shop/actions/runs/13579246801';

describe('deploymentDescription', () => {
  it.each([
    {
      name: 'deploy-ecs with commit, run and previous task definition',
      parts: { headline: `Expeditor deploy-ecs: ${image}`, commit: sha, runUrl, previousTaskDefinition: previous },
      text: `Expeditor deploy-ecs: ${image}; commit 9f2c4e1a7b3d; run ${runUrl}; previous task definition: ${previous}`,
    },
    {
      name: 'a first deployment (nothing ran before)',
      parts: { headline: `Expeditor deploy-ecs: ${image}`, commit: sha, runUrl, previousTaskDefinition: undefined },
      text: `Expeditor deploy-ecs: ${image}; commit 9f2c4e1a7b3d; run ${runUrl}`,
    },
    {
      name: 'outside a workflow run (no commit or run)',
      parts: { headline: `Expeditor deploy-ecs: ${image}`, commit: '', runUrl: '', previousTaskDefinition: previous },
      text: `Expeditor deploy-ecs: ${image}; previous task definition: ${previous}`,
    },
    {
      name: 'a switch rollback, recording what it replaces',
      parts: {
        headline: `Expeditor bluegreen-switch rollback of d-7Q2WV3H5X to ${previous}`,
        previousTaskDefinition: 'arn:aws:ecs:us-west-2:123456789012:task-definition/shop-web:7',
      },
      text: `Expeditor bluegreen-switch rollback of d-7Q2WV3H5X to ${previous}; previous task definition: arn:aws:ecs:us-west-2:123456789012:task-definition/shop-web:7`,
    },
  ])('$name', ({ parts, text }) => {
    expect(deploymentDescription(parts)).toBe(text);
  });
});

describe('recordedPreviousTaskDefinition', () => {
  it.each([
    {
      name: "deploy-ecs's description",
      description: `Expeditor deploy-ecs: ${image}; commit 9f2c4e1a7b3d; run ${runUrl}; previous task definition: ${previous}`,
      recorded: previous,
    },
    {
      name: 'the record in the middle of other text',
      description: `x; previous task definition: ${previous}; later note`,
      recorded: previous,
    },
    {
      name: 'a China partition ARN',
      description: 'previous task definition: arn:aws-cn:ecs:cn-north-1:123456789012:task-definition/shop-web:3',
      recorded: 'arn:aws-cn:ecs:cn-north-1:123456789012:task-definition/shop-web:3',
    },
    {
      name: 'a GovCloud ARN',
      description: 'previous task definition: arn:aws-us-gov:ecs:us-gov-west-1:123456789012:task-definition/shop-web:3',
      recorded: 'arn:aws-us-gov:ecs:us-gov-west-1:123456789012:task-definition/shop-web:3',
    },
    { name: 'no record (a first deployment)', description: `Expeditor deploy-ecs: ${image}; commit 9f2c4e1a7b3d`, recorded: undefined },
    { name: 'an empty record', description: 'Expeditor bluegreen-switch rollback of d-1; previous task definition: ', recorded: undefined },
    { name: 'something that is not an ECS ARN', description: 'previous task definition: shop-web:6', recorded: undefined },
    { name: 'a description someone wrote by hand', description: 'hotfix for the checkout page', recorded: undefined },
    { name: 'no description at all', description: undefined, recorded: undefined },
  ])('$name → $recorded', ({ description, recorded }) => {
    expect(recordedPreviousTaskDefinition(description)).toBe(recorded);
  });

  it.each([previous, 'arn:aws-cn:ecs:cn-north-1:123456789012:task-definition/shop-web:3', undefined])(
    'reads back what was written: %s',
    (td) => {
      const written = deploymentDescription({
        headline: `Expeditor deploy-ecs: ${image}`,
        commit: sha,
        runUrl,
        previousTaskDefinition: td,
      });
      expect(recordedPreviousTaskDefinition(written)).toBe(td);
    },
  );
});
