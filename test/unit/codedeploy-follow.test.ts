// What a CodeDeploy ECS deployment's target says: traffic moved for good (blue waits to be
// terminated), green's weight, and the sentences the log and errors use.
import { describe, expect, it } from 'vitest';
import { greenWeight, isTrafficShifted, trafficWords, whereItWas } from '../../packages/codedeploy/src/follow.ts';
import { deployment, events, target, view } from './codedeploy-fixture.ts';

describe('isTrafficShifted: green takes all traffic and only the termination wait is left', () => {
  it.each([
    {
      name: 'every event Succeeded, green at 100%, still InProgress (termination wait)',
      d: deployment('InProgress'),
      t: target({ events: events(), blue: 0, green: 100 }),
      shifted: true,
    },
    {
      name: 'AfterAllowTraffic still running',
      d: deployment('InProgress'),
      t: target({ events: events('AfterAllowTraffic'), blue: 0, green: 100 }),
      shifted: false,
    },
    {
      name: 'canary: green at 10%',
      d: deployment('InProgress'),
      t: target({ events: events('AllowTraffic'), blue: 90, green: 10 }),
      shifted: false,
    },
    {
      name: 'test-traffic hooks Skipped count as done',
      d: deployment('InProgress'),
      t: target({
        events: events()?.map((e) => (e.lifecycleEventName === 'AfterAllowTestTraffic' ? { ...e, status: 'Skipped' as const } : e)),
        blue: 0,
        green: 100,
      }),
      shifted: true,
    },
    {
      name: 'Succeeded (blue already terminated)',
      d: deployment('Succeeded'),
      t: target({ events: events(), blue: 0, green: 100 }),
      shifted: false,
    },
    {
      name: 'Ready (held before the reroute)',
      d: deployment('Ready'),
      t: target({ events: events('AllowTraffic', 'Pending') }),
      shifted: false,
    },
    {
      name: "CodeDeploy's own rollback deployment",
      d: deployment('InProgress', { creator: 'codeDeployRollback' }),
      t: target({ events: events(), blue: 0, green: 100 }),
      shifted: false,
    },
    { name: 'no target yet', d: deployment('InProgress'), t: undefined, shifted: false },
    { name: 'no lifecycle events yet', d: deployment('InProgress'), t: target({ events: [], green: 100 }), shifted: false },
  ])('$name → $shifted', ({ d, t, shifted }) => {
    expect(isTrafficShifted(d, t)).toBe(shifted);
  });
});

describe('greenWeight and trafficWords', () => {
  it.each([
    {
      name: 'before the reroute',
      t: target({ blue: 100, green: 0 }),
      weight: 0,
      words: 'traffic: blue 100% · green 0% (green 2/2 running)',
    },
    { name: 'canary 10%', t: target({ blue: 90, green: 10 }), weight: 10, words: 'traffic: blue 90% · green 10% (green 2/2 running)' },
    {
      name: 'linear step, weights rounded',
      t: target({ blue: 66.6, green: 33.4 }),
      weight: 33.4,
      words: 'traffic: blue 67% · green 33% (green 2/2 running)',
    },
    { name: 'all on green', t: target({ blue: 0, green: 100 }), weight: 100, words: 'traffic: blue 0% · green 100% (green 2/2 running)' },
    {
      name: 'green still starting',
      t: target({ running: 1, desired: 3 }),
      weight: 0,
      words: 'traffic: blue 100% · green 0% (green 1/3 running)',
    },
    { name: 'no green task set yet', t: target({ noGreen: true }), weight: undefined, words: 'traffic: blue 100%' },
    { name: 'no target', t: undefined, weight: undefined, words: '' },
    { name: 'no task sets', t: { ...target(), taskSetsInfo: [] }, weight: undefined, words: '' },
  ])('$name', ({ t, weight, words }) => {
    expect(greenWeight(t)).toBe(weight);
    expect(trafficWords(t)).toBe(words);
  });
});

describe('whereItWas', () => {
  it.each([
    {
      name: 'at a running event, with traffic',
      v: view(deployment('InProgress'), target({ events: events('AllowTraffic'), blue: 90, green: 10 })),
      words: 'InProgress at AllowTraffic, traffic: blue 90% · green 10% (green 2/2 running)',
    },
    { name: 'not started', v: view(deployment('Created'), undefined), words: 'Created' },
    { name: 'nothing read', v: view(undefined, undefined), words: '?' },
  ])('$name', ({ v, words }) => {
    expect(whereItWas(v)).toBe(words);
  });
});
