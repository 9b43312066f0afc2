// deploy-ecs's inputs shared with amazon-ecs-deploy-task-definition v2, before any network call:
// JSON shapes named by input and path, run-task-* only with run-task, register-only, the
// CodeDeploy description's protocol kept whole; and the one-off task's request and verdict.
import { describe, expect, it } from 'vitest';
import type { Task } from '@aws-sdk/client-ecs';
import { ActionInputs, inputEnv } from '../../packages/shared/src/inputs.ts';
import type { ProblemsError } from '../../packages/shared/src/errors.ts';
import { recordedPreviousTaskDefinition } from '../../packages/codedeploy/src/description.ts';
import { readDeployEcsInputs } from '../../actions/deploy-ecs/src/inputs.ts';
import { splitWords } from '../../actions/deploy-ecs/src/json-inputs.ts';
import { cloudWatchLogsUrl, prepareRunTask, progressLine, taskFailures } from '../../actions/deploy-ecs/src/run-task.ts';
import { blueGreenDescription } from '../../actions/deploy-ecs/src/deploy.ts';
import type { Rendered } from '../../actions/deploy-ecs/src/task-definition.ts';

const image = `123456789012.dkr.ecr.us-west-2.amazonaws.com/shop@sha256:${'a'.repeat(64)}`;
const read = (values: Record<string, string>) => readDeployEcsInputs(new ActionInputs(inputEnv({ image, ...values })));
const problems = (values: Record<string, string>): string[] => {
  try {
    read(values);
    return [];
  } catch (error) {
    return (error as ProblemsError).problems.map((p) => p.message);
  }
};

describe('deploy-ecs peer inputs: validation', () => {
  it('reads them all when well formed', () => {
    const inputs = read({
      service: 'web',
      'desired-count': '4',
      'force-new-deployment': 'true',
      'enable-ecs-managed-tags': 'false',
      'propagate-tags': 'TASK_DEFINITION',
      'service-managed-ebs-volume-name': 'data',
      'service-managed-ebs-volume': '{"roleArn": "arn:aws:iam::123456789012:role/ebs", "sizeInGiB": 20, "volumeType": "io2", "iops": 3000}',
      'codedeploy-deployment-description': 'release 7',
      'run-task': 'true',
      'run-task-command': `sh -c 'echo "hi there"' done`,
      'run-task-subnets': 'subnet-0123abcd, subnet-4567ef01',
      'run-task-security-groups': 'sg-0123abcd',
      'run-task-assign-public-ip': 'ENABLED',
      'run-task-count': '2',
      'run-task-capacity-provider-strategy': '[{"capacityProvider": "FARGATE_SPOT", "weight": 2, "base": 1}]',
      'wait-for-task-stopped': 'false',
    });
    expect(inputs).toMatchObject({
      desiredCount: 4,
      forceNewDeployment: true,
      enableEcsManagedTags: false,
      propagateTags: 'TASK_DEFINITION',
      serviceManagedEbsVolume: { name: 'data', volume: { roleArn: 'arn:aws:iam::123456789012:role/ebs', iops: 3000 } },
      codedeployDescription: 'release 7',
      runTask: {
        command: ['sh', '-c', 'echo "hi there"', 'done'],
        subnets: ['subnet-0123abcd', 'subnet-4567ef01'],
        securityGroups: ['sg-0123abcd'],
        assignPublicIp: 'ENABLED',
        count: 2,
        startedBy: 'GitHub-Actions',
        waitForStop: false,
        capacityProviderStrategy: [{ capacityProvider: 'FARGATE_SPOT', weight: 2, base: 1 }],
      },
    });
    // Unset: the service's own settings stay.
    expect(read({ service: 'web' })).toMatchObject({ enableEcsManagedTags: undefined, propagateTags: undefined, runTask: undefined });
  });

  it('run-task-* inputs without run-task are refused, each named', () => {
    expect(problems({ service: 'web', 'run-task-count': '2', 'wait-for-task-stopped': 'true' })).toEqual([
      "input 'run-task-count': applies only with run-task: true (the one-off task), which is not set",
      "input 'wait-for-task-stopped': applies only with run-task: true (the one-off task), which is not set",
    ]);
  });

  it('JSON inputs name the path of each problem', () => {
    expect(
      problems({
        service: 'web',
        'run-task': 'true',
        'run-task-container-overrides': '[{"name": "app", "cpu": "1"}, {"name": "app"}, {"nme": "x"}]',
      }),
    ).toEqual([
      'input \'run-task-container-overrides\': [0].cpu: expected a whole number, got the string "1"',
      `input 'run-task-container-overrides': [2]: unknown key "nme" (have: name, command, environment, environmentFiles, cpu, memory, memoryReservation, resourceRequirements)`,
      "input 'run-task-container-overrides': [2].name: is required",
    ]);
    expect(problems({ service: 'web', 'run-task': 'true', 'run-task-container-overrides': '[{"name": "app"}, {"name": "app"}]' })).toEqual([
      "input 'run-task-container-overrides': [1].name: a second override for container app",
    ]);
    expect(problems({ service: 'web', 'run-task': 'true', 'run-task-tags': '{"key": "a"' })[0]).toMatch(
      /^input 'run-task-tags': not valid JSON: /,
    );
  });

  it('a managed EBS volume is checked as ECS checks it, and needs its name', () => {
    expect(
      problems({
        service: 'web',
        'service-managed-ebs-volume': '{"roleArn": "arn:aws:iam::123456789012:role/ebs", "volumeType": "st1", "throughput": 200}',
      }),
    ).toEqual([
      "input 'service-managed-ebs-volume': throughput: applies to gp3 volumes only (volumeType is st1)",
      "input 'service-managed-ebs-volume': sizeInGiB: is required unless a snapshotId gives the size",
      "input 'service-managed-ebs-volume-name': is required with service-managed-ebs-volume (which volume of the task definition it configures)",
    ]);
    expect(problems({ service: 'web', 'service-managed-ebs-volume-name': 'data' })).toEqual([
      "input 'service-managed-ebs-volume': is required with service-managed-ebs-volume-name (the volume's settings, roleArn at least)",
    ]);
  });

  it('with no service and no environment, a task definition file is required (register-only registers it)', () => {
    expect(problems({})).toEqual([
      "input 'task-definition': is required when no service is given (with no service, deploy-ecs registers the task definition file only)",
    ]);
    expect(problems({ 'task-definition': 'td.json' })).toEqual([]);
  });

  it('the description may not hold the protocol’s key', () => {
    expect(problems({ service: 'web', 'codedeploy-deployment-description': 'Previous Task Definition: mine' })[0]).toMatch(
      /^input 'codedeploy-deployment-description': must not contain 'previous task definition:'/,
    );
  });

  it('splits a command line as a shell would, without expanding anything', () => {
    expect(splitWords(`npm run migrate -- --name="add users" 'it''s' a\\ b $HOME`)).toEqual([
      'npm',
      'run',
      'migrate',
      '--',
      '--name=add users',
      'its',
      'a b',
      '$HOME',
    ]);
    expect(splitWords('echo "open')).toMatch(/^unbalanced " quote/);
  });
});

describe('deploy-ecs CodeDeploy description', () => {
  const plan = {
    image,
    source: { sha: 'f'.repeat(40), runUrl: 'https://github.com/acme/shop/actions/runs/9' },
    codedeployDescription: 'release 7',
  };
  const previous = 'arn:aws:ecs:us-west-2:123456789012:task-definition/shop:41';

  it('puts the user’s text first and keeps the record bluegreen-switch reads', () => {
    const text = blueGreenDescription(plan, previous);
    expect(text.startsWith('release 7; Expeditor deploy-ecs: ')).toBe(true);
    expect(recordedPreviousTaskDefinition(text)).toBe(previous);
  });

  it('shortens the user’s text, never the record, to fit CodeDeploy’s 512 characters', () => {
    const text = blueGreenDescription({ ...plan, codedeployDescription: 'x'.repeat(500) }, previous);
    expect(text.length).toBeLessThanOrEqual(512);
    expect(text).toMatch(/^x+…; Expeditor deploy-ecs: /);
    expect(recordedPreviousTaskDefinition(text)).toBe(previous);
  });
});

describe('deploy-ecs one-off task', () => {
  const rendered = (networkMode?: 'awsvpc' | 'bridge'): Rendered => ({
    container: 'app',
    previousImage: undefined,
    changes: [],
    input: {
      family: 'shop',
      ...(networkMode ? { networkMode } : {}),
      containerDefinitions: [
        {
          name: 'app',
          image,
          logConfiguration: { logDriver: 'awslogs', options: { 'awslogs-group': '/ecs/shop', 'awslogs-stream-prefix': 'web' } },
        },
        { name: 'sidecar', image: 'x', essential: false },
      ],
    },
  });
  const run = {
    containerOverrides: [],
    command: ['./migrate'],
    subnets: [],
    securityGroups: [],
    assignPublicIp: undefined,
    launchType: undefined,
    capacityProviderStrategy: undefined,
    startedBy: 'GitHub-Actions',
    count: 1,
    tags: [],
    waitForStop: true,
  };

  it('takes the service’s placement and awsvpc network when none is given', () => {
    const prepared = prepareRunTask(
      run,
      rendered('awsvpc'),
      {
        serviceName: 'web',
        capacityProviderStrategy: [{ capacityProvider: 'FARGATE', weight: 1 }],
        networkConfiguration: { awsvpcConfiguration: { subnets: ['subnet-1'], securityGroups: ['sg-1'] } },
      },
      { cluster: 'shop', enableEcsManagedTags: true },
    );
    expect(prepared.request).toEqual({
      cluster: 'shop',
      count: 1,
      startedBy: 'GitHub-Actions',
      capacityProviderStrategy: [{ capacityProvider: 'FARGATE', weight: 1 }],
      networkConfiguration: { awsvpcConfiguration: { subnets: ['subnet-1'], securityGroups: ['sg-1'] } },
      overrides: { containerOverrides: [{ name: 'app', command: ['./migrate'] }] },
      enableECSManagedTags: true,
    });
    expect(prepared.essential).toEqual(['app']);
    expect(prepared.logs).toEqual({ app: { group: '/ecs/shop', region: undefined, prefix: 'web' } });
  });

  it('refuses an awsvpc task without subnets, and subnets for a bridge task, naming run-task-subnets', () => {
    expect(() => prepareRunTask(run, rendered('awsvpc'), undefined, { cluster: 'c', enableEcsManagedTags: undefined })).toThrow(
      "input 'run-task-subnets': the task definition uses the awsvpc network mode, so ECS needs subnets for the one-off task",
    );
    expect(() =>
      prepareRunTask({ ...run, subnets: ['subnet-0123abcd'], launchType: 'EC2' }, rendered('bridge'), undefined, {
        cluster: 'c',
        enableEcsManagedTags: undefined,
      }),
    ).toThrow("input 'run-task-subnets': the task definition uses the bridge network mode, and ECS takes subnets only for awsvpc");
  });

  it('judges stopped tasks: an essential container’s non-zero exit fails, with its logs; a sidecar’s does not', () => {
    const arn = 'arn:aws:ecs:us-west-2:123456789012:task/shop/0123456789abcdef0123456789abcdef';
    const task = (exit: number, sidecarExit = 0, extra: Partial<Task> = {}): Task => ({
      taskArn: arn,
      lastStatus: 'STOPPED',
      desiredStatus: 'STOPPED',
      stopCode: 'EssentialContainerExited',
      stoppedReason: 'Essential container in task exited',
      containers: [
        { name: 'app', exitCode: exit },
        { name: 'sidecar', exitCode: sidecarExit },
      ],
      ...extra,
    });
    const prepared = { essential: ['app'], logs: { app: { group: '/ecs/shop', region: undefined, prefix: 'web' } } };
    expect(taskFailures([task(0, 137)], prepared, 'eu-west-1')).toEqual([]);
    expect(taskFailures([task(3)], prepared, 'eu-west-1')).toEqual([
      `task 0123456789abcdef0123456789abcdef: container app exited with code 3; stopped reason: EssentialContainerExited: Essential container in task exited; logs: ${cloudWatchLogsUrl('eu-west-1', '/ecs/shop', 'web/app/0123456789abcdef0123456789abcdef')}`,
    ]);
    expect(cloudWatchLogsUrl('eu-west-1', '/ecs/shop', 'web/app/1')).toBe(
      'https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1#logsV2:log-groups/log-group/$252Fecs$252Fshop/log-events/web$252Fapp$252F1',
    );
    const pull = task(0, 0, {
      stopCode: 'TaskFailedToStart',
      stoppedReason: 'CannotPullContainerError: pull access denied',
      containers: [{ name: 'app', reason: 'CannotPullContainerError' }],
    });
    expect(taskFailures([pull], { essential: ['app'], logs: {} }, 'eu-west-1')).toEqual([
      'task 0123456789abcdef0123456789abcdef: container app did not run to an exit (CannotPullContainerError); stopped reason: TaskFailedToStart: CannotPullContainerError: pull access denied',
    ]);
    expect(progressLine([task(3)])).toBe('task 0123456789abcdef0123456789abcdef: STOPPED (app exited 3, sidecar exited 0)');
  });
});

describe('deploy-ecs peer inputs: the peer’s names for waiting, the AppSpec and the one-off task’s volume', () => {
  it('maps wait-for-service-stability to wait-until and wait-for-minutes to the deadline', () => {
    expect(read({ service: 'web', 'wait-for-service-stability': 'true' })).toMatchObject({ waitUntil: 'succeeded' });
    expect(read({ service: 'web', 'wait-for-service-stability': 'false' })).toMatchObject({
      waitUntil: 'none',
      waitUntilInput: 'wait-for-service-stability',
    });
    // Stability with ready: the deployment is still awaited, only up to Ready.
    expect(read({ service: 'web', 'wait-for-service-stability': 'true', 'wait-until': 'ready' })).toMatchObject({ waitUntil: 'ready' });
    expect(read({ service: 'web', 'wait-for-minutes': '90', timeout: '30m' }).timeoutMs).toBe(90 * 60_000);
    expect(read({ service: 'web' }).timeoutMs).toBe(30 * 60_000);
  });

  it('takes codedeploy-appspec and codedeploy-deployment-config for appspec and deployment-config', () => {
    expect(read({ service: 'web', 'codedeploy-appspec': 'deploy/appspec.yaml' })).toMatchObject({
      appspec: 'deploy/appspec.yaml',
      appspecInput: 'codedeploy-appspec',
    });
    expect(read({ service: 'web', appspec: 'a.yaml', 'codedeploy-appspec': 'a.yaml' })).toMatchObject({ appspec: 'a.yaml' });
    expect(problems({ service: 'web', 'codedeploy-deployment-config': 'not a config' })[0]).toMatch(
      /^input 'codedeploy-deployment-config': expected a deployment config name/,
    );
  });

  it('reads the one-off task’s managed EBS volume with its termination policy, and needs both inputs', () => {
    const volume =
      '{"roleArn": "arn:aws:iam::123456789012:role/ecsInfrastructureRole", "sizeInGiB": 10, "terminationPolicy": {"deleteOnTermination": false}}';
    expect(
      read({ service: 'web', 'run-task': 'true', 'run-task-managed-ebs-volume-name': 'data', 'run-task-managed-ebs-volume': volume })
        .runTask?.managedEbsVolume,
    ).toEqual({ name: 'data', volume: JSON.parse(volume) });
    expect(problems({ service: 'web', 'run-task': 'true', 'run-task-managed-ebs-volume': volume })).toEqual([
      "input 'run-task-managed-ebs-volume-name': is required with run-task-managed-ebs-volume (which volume of the task definition it configures)",
    ]);
    expect(problems({ service: 'web', 'run-task-managed-ebs-volume-name': 'data' })).toContain(
      "input 'run-task-managed-ebs-volume-name': applies only with run-task: true (the one-off task), which is not set",
    );
    expect(
      problems({
        service: 'web',
        'run-task': 'true',
        'run-task-managed-ebs-volume-name': 'data',
        'run-task-managed-ebs-volume': '{"roleArn": "arn:aws:iam::123456789012:role/r", "sizeInGiB": 10, "terminationPolicy": {}}',
      })[0],
    ).toMatch(/^input 'run-task-managed-ebs-volume': terminationPolicy\.deleteOnTermination: is required/);
  });

  it('keep-null-value-keys takes task definition key names', () => {
    expect(read({ service: 'web', 'keep-null-value-keys': 'pidMode, entryPoint' }).keepEmptyKeys).toEqual(['pidMode', 'entryPoint']);
    expect(problems({ service: 'web', 'keep-null-value-keys': 'container.pidMode' })[0]).toMatch(
      /^input 'keep-null-value-keys': expected task definition key names/,
    );
  });
});
