// Bed part 'prometheus': Debian's server answers instant queries about the exporter the test
// controls, and a value the test sets is what the next query answers.
import { describe, expect, it } from 'vitest';
import { useBed } from './vitest.ts';

const bed = useBed(['prometheus']);

describe('bed part prometheus', () => {
  it('runs Prometheus 2.42 scraping the test’s exporter: a gauge set now is answered after the next scrape', async () => {
    const build = (await (await fetch(`${bed.prometheus.url}/api/v1/status/buildinfo`)).json()) as { data: { version: string } };
    expect(build.data.version).toMatch(/^2\.42\./);
    bed.prometheus.set('bed_success_ratio', { color: 'green' }, 0.99);
    bed.prometheus.set('bed_success_ratio', { color: 'blue' }, 1);
    await bed.prometheus.scraped('bed_success_ratio', { color: 'green' }, 0.99);
    expect(await bed.prometheus.query('bed_success_ratio{color="green"}')).toMatchObject([
      { metric: { __name__: 'bed_success_ratio', color: 'green', job: 'bed' }, value: [expect.any(Number), '0.99'] },
    ]);
    bed.prometheus.set('bed_success_ratio', { color: 'green' }, 0.5);
    await bed.prometheus.scraped('bed_success_ratio', { color: 'green' }, 0.5);
    expect(await bed.prometheus.query('min(bed_success_ratio)')).toMatchObject([{ value: [expect.any(Number), '0.5'] }]);
    await expect(bed.prometheus.query('sum(rate(x[1m])')).rejects.toThrow(/400/);
  });
});
