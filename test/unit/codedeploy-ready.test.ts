// Green is ready to take production traffic only when its deployment is held at Ready and every
// green task runs.
import { describe, expect, it } from 'vitest';
import { switchReadiness } from '../../packages/codedeploy/src/ready.ts';
import { deployment, events, target, view } from './codedeploy-fixture.ts';

const held = events('AllowTraffic', 'Pending');

describe('switchReadiness', () => {
  it.each([
    {
      name: 'Ready with 2/2 green tasks',
      v: view(deployment('Ready'), target({ events: held })),
      expected: { ready: true, green: { running: 2, desired: 2 } },
    },
    {
      name: 'Ready with 1/2 green tasks',
      v: view(deployment('Ready'), target({ events: held, running: 1 })),
      expected: { ready: false, reason: 'green-not-running', status: 'Ready', green: { running: 1, desired: 2 } },
    },
    {
      name: 'Ready with green scaled to 0',
      v: view(deployment('Ready'), target({ events: held, running: 0, desired: 0 })),
      expected: { ready: false, reason: 'green-not-running', status: 'Ready', green: { running: 0, desired: 0 } },
    },
    {
      name: 'Ready without a green task set',
      v: view(deployment('Ready'), target({ events: held, noGreen: true })),
      expected: { ready: false, reason: 'green-not-running', status: 'Ready', green: undefined },
    },
    {
      name: 'Ready without a target read',
      v: view(deployment('Ready'), undefined),
      expected: { ready: false, reason: 'green-not-running', status: 'Ready', green: undefined },
    },
    {
      name: 'Succeeded',
      v: view(deployment('Succeeded'), target({ events: events(), blue: 0, green: 100 })),
      expected: { ready: false, reason: 'switched', status: 'Succeeded' },
    },
    {
      name: 'blue waiting for its termination',
      v: view(deployment('InProgress'), target({ events: events(), blue: 0, green: 100 }), true),
      expected: { ready: false, reason: 'switched', status: 'InProgress' },
    },
    {
      name: 'Failed',
      v: view(deployment('Failed'), target({ status: 'Failed' })),
      expected: { ready: false, reason: 'ended', status: 'Failed' },
    },
    { name: 'Stopped', v: view(deployment('Stopped'), target()), expected: { ready: false, reason: 'ended', status: 'Stopped' } },
    {
      name: 'still installing',
      v: view(deployment('InProgress'), target({ events: events('Install'), running: 1 })),
      expected: { ready: false, reason: 'not-held', status: 'InProgress' },
    },
    { name: 'not started', v: view(deployment('Created'), undefined), expected: { ready: false, reason: 'not-held', status: 'Created' } },
    { name: 'nothing read', v: view(undefined, undefined), expected: { ready: false, reason: 'not-held', status: '?' } },
  ])('$name', ({ v, expected }) => {
    expect(switchReadiness(v)).toEqual(expected);
  });
});
