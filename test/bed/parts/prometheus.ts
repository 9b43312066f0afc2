// Bed part 'prometheus': Debian's Prometheus 2.42 on a free port, its data in the bed's directory,
// scraping an exporter that runs in the test's own process, so a test sets a series' value (a
// color's success rate, say) and Prometheus answers it in its next scrape — a drop on cue.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { bedBinary } from '../cache.ts';
import { freePort } from '../ports.ts';
import { httpAnswers, startServer, type ServerProcess } from '../process.ts';
import type { BedContext, PartHandle, PrometheusPart } from '../types.ts';

/** How often Prometheus scrapes the exporter: short, so a change shows within a fraction of a second. */
const scrapeIntervalMs = 200;

/** `name{a="1",b="2"}`, labels sorted, as the exposition format writes a series. */
function seriesKey(name: string, labels: Record<string, string>): string {
  const inner = Object.keys(labels)
    .sort()
    .map((k) => `${k}="${(labels[k] ?? '').replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`)
    .join(',');
  return inner ? `${name}{${inner}}` : name;
}

type Gauge = { name: string; value: GaugeValue };
type GaugeValue = number | (() => number | Promise<number>);

function startExporter(series: Map<string, Gauge>): Promise<Server> {
  const server = createServer((req, res) => {
    if (req.url !== '/metrics') {
      res.writeHead(404).end();
      return;
    }
    void (async () => {
      // A value given as a function is read at scrape time (e.g. from the Ingress as it is then).
      const values = await Promise.all([...series.entries()].map(async ([key, s]) => ({ key, name: s.name, value: await read(s.value) })));
      const names = new Set(values.map((v) => v.name));
      const lines = [...names].flatMap((name) => [
        `# TYPE ${name} gauge`,
        ...values.filter((v) => v.name === name).map((v) => `${v.key} ${formatValue(v.value)}`),
      ]);
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(`${lines.join('\n')}\n`);
    })().catch(() => res.writeHead(500).end());
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

async function read(value: GaugeValue): Promise<number> {
  return typeof value === 'function' ? value() : value;
}

function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Number.POSITIVE_INFINITY) return '+Inf';
  if (value === Number.NEGATIVE_INFINITY) return '-Inf';
  return String(value);
}

export async function start(ctx: BedContext): Promise<PartHandle<PrometheusPart>> {
  const binary = bedBinary('prometheus', 'prometheus');
  const series = new Map<string, Gauge>();
  const exporter = await startExporter(series);
  const exporterAddress = `127.0.0.1:${(exporter.address() as AddressInfo).port}`;

  const root = join(ctx.dir, 'prometheus');
  mkdirSync(join(root, 'data'), { recursive: true });
  const config = join(root, 'prometheus.yml');
  // JSON is YAML, so the config needs no YAML writer.
  writeFileSync(
    config,
    JSON.stringify({
      global: { scrape_interval: `${scrapeIntervalMs}ms`, scrape_timeout: `${scrapeIntervalMs}ms`, evaluation_interval: '1s' },
      scrape_configs: [{ job_name: 'bed', static_configs: [{ targets: [exporterAddress] }] }],
    }),
  );

  let server: ServerProcess | undefined;
  let url = '';
  try {
    // A free port can be taken between the check and the bind: try a few.
    for (let attempt = 1; !server; attempt++) {
      const port = await freePort();
      url = `http://127.0.0.1:${port}`;
      try {
        server = await startServer({
          name: 'prometheus',
          command: binary,
          args: [
            `--config.file=${config}`,
            `--storage.tsdb.path=${join(root, 'data')}`,
            `--web.listen-address=127.0.0.1:${port}`,
            '--storage.tsdb.retention.time=1h',
            // Nothing on the bed needs the console templates Debian would look for.
            `--web.console.templates=${root}`,
            `--web.console.libraries=${root}`,
          ],
          logDir: ctx.logDir,
          ready: async () => (await httpAnswers(`${url}/-/ready`)) && (await fetch(`${url}/-/ready`)).ok,
        });
      } catch (error) {
        if (attempt >= 3) throw error;
      }
    }
  } catch (error) {
    await new Promise((r) => exporter.close(r));
    throw error;
  }

  const query = async (promql: string): Promise<unknown> => {
    const response = await fetch(`${url}/api/v1/query?${new URLSearchParams({ query: promql })}`);
    const body = (await response.json()) as { status: string; data?: { result?: unknown }; error?: string };
    if (body.status !== 'success') throw new Error(`bed prometheus: ${promql} answered ${response.status}: ${body.error}`);
    return body.data?.result;
  };

  const part: PrometheusPart = {
    url,
    scrapeIntervalMs,
    set(name, labels, value) {
      series.set(seriesKey(name, labels), { name, value });
    },
    async scraped(name, labels, value) {
      const selector = seriesKey(name, labels);
      for (;;) {
        const result = (await query(selector)) as { value: [number, string] }[];
        const got = result[0]?.value[1];
        if (got !== undefined && (Number(got) === value || (Number.isNaN(value) && got === 'NaN'))) return;
        await delay(scrapeIntervalMs / 2);
      }
    },
    query,
  };
  const running = server;
  return {
    part,
    stop: async () => {
      await running.stop();
      await new Promise((r) => exporter.close(r));
    },
  };
}
