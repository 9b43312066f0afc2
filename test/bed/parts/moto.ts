// The bed's AWS: moto's server with the bed's Python extensions (test/bed/moto/), on a free port.
import { existsSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cacheDir } from '../cache.ts';
import { freePort } from '../ports.ts';
import { httpAnswers, startServer, type ServerProcess } from '../process.ts';
import type { BedContext, MotoClientConfig, MotoPart, PartHandle } from '../types.ts';

const REGION = 'us-west-2';
const DEFAULT_ACCOUNT = '123456789012';
const SERVER = join(dirname(fileURLToPath(import.meta.url)), '..', 'moto', 'server.py');

// AWS key ids carry their account: after the 4-letter prefix, base32 of (account / 2 + offset) in
// 40 bits, then a letter whose half of the alphabet gives the account's parity. The bed adds a
// fixed tail so its server can tell its keys from random ones (see test/bed/moto/bed_sts.py).
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const ACCOUNT_OFFSET = 549_755_813_888n;
const BED_KEY_TAIL = 'EXPBEDX';

/** The bed access key id that acts as `account` on this bed's moto. */
export function bedAccessKeyId(account: string): string {
  if (!/^\d{12}$/.test(account)) throw new Error(`an AWS account id has 12 digits, got '${account}'`);
  const number = BigInt(account);
  let value = number / 2n + ACCOUNT_OFFSET;
  let encoded = '';
  for (let i = 0; i < 8; i++) {
    encoded = ALPHABET[Number(value & 31n)] + encoded;
    value >>= 5n;
  }
  const parity = number % 2n === 1n ? ALPHABET[16] : ALPHABET[0];
  return `AKIA${encoded}${parity}${BED_KEY_TAIL}`;
}

function python(): string {
  const path = join(cacheDir, 'moto-venv', 'bin', 'python');
  if (!existsSync(path)) {
    throw new Error(`bed part 'moto' is not installed: ${path} is missing. Run: bash test/bed/install.sh moto`);
  }
  return path;
}

export async function start(ctx: BedContext): Promise<PartHandle<MotoPart>> {
  const command = python();
  const speed = process.env.EXPEDITOR_BED_SPEED ?? '30';
  let server: ServerProcess | undefined;
  let endpoint = '';
  // A free port can be taken between the check and the bind: try a few.
  for (let attempt = 1; !server; attempt++) {
    const port = await freePort();
    endpoint = `http://127.0.0.1:${port}`;
    const health = `${endpoint}/_bed/health`;
    try {
      server = await startServer({
        name: 'moto',
        command,
        args: [SERVER, '--port', String(port), '--speed', speed],
        // Bytecode caches would land in the repo's test/bed/moto/.
        env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1', PYTHONUNBUFFERED: '1' },
        logDir: ctx.logDir,
        ready: () => httpAnswers(health, { method: 'POST' }),
      });
    } catch (error) {
      if (attempt >= 3) throw error;
    }
  }

  const clientConfig = (account = DEFAULT_ACCOUNT): MotoClientConfig => ({
    endpoint,
    region: REGION,
    credentials: { accessKeyId: bedAccessKeyId(account), secretAccessKey: 'bed-secret-access-key' },
  });

  const part: MotoPart = {
    endpoint,
    region: REGION,
    defaultAccount: DEFAULT_ACCOUNT,
    clientConfig,
    env(account = DEFAULT_ACCOUNT) {
      const config = clientConfig(account);
      return {
        AWS_ENDPOINT_URL: endpoint,
        AWS_REGION: REGION,
        AWS_DEFAULT_REGION: REGION,
        AWS_ACCESS_KEY_ID: config.credentials.accessKeyId,
        AWS_SECRET_ACCESS_KEY: config.credentials.secretAccessKey,
        // Nothing may look for instance metadata or a profile on a test machine.
        AWS_EC2_METADATA_DISABLED: 'true',
      };
    },
    async control<T = unknown>(path: string, body: unknown = {}): Promise<T> {
      const url = `${endpoint}/_bed/${path.replace(/^\/?(_bed\/)?/, '')}`;
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      const text = await response.text();
      const parsed = text ? (JSON.parse(text) as unknown) : {};
      if (!response.ok) {
        const message = (parsed as { error?: string }).error ?? text;
        throw new Error(`bed control ${path} answered ${response.status}: ${message}`);
      }
      return parsed as T;
    },
  };
  const running = server;
  return { part, stop: () => running.stop() };
}
