import { describe, expect, it } from 'vitest';
import { Summary } from '../../packages/shared/src/summary.ts';

describe('the step summary', () => {
  it('writes a markdown table a person can read, escaping what would break it', () => {
    const md = new Summary()
      .heading('deploy-eks: staging')
      .table(
        ['environment', 'image', 'colors', 'duration', 'links'],
        [
          ['staging', 'repo@sha256:abc', 'blue → green', '42 s', { text: 'run', href: 'https://example.test/run/1' }],
          ['prod | x', undefined, '<b>', '1 s', undefined],
        ],
      )
      .toMarkdown();
    expect(md).toBe(
      [
        '## deploy-eks: staging',
        '',
        '| environment | image | colors | duration | links |',
        '| --- | --- | --- | --- | --- |',
        '| staging | repo@sha256:abc | blue → green | 42 s | [run](https://example.test/run/1) |',
        '| prod \\| x | — | &lt;b&gt; | 1 s | — |',
        '',
      ].join('\n'),
    );
  });
});
