import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requestIdToken, tokenUrl } from '../../actions/assume-env/src/oidc-token.ts';
import { memoryLog } from '../../packages/shared/src/log.ts';
import { claims, jwt } from './assume-env-fixtures.ts';

const runnerUrl =
  'https://pipelinesghubeus2.actions.githubusercontent.com/Zq0bWkvhQmQyY6b1cBJS7gU1Fv0bA9Z3n/00000000-0000-0000-0000-000000000000/_apis/distributedtask/hubs/Actions/plans/1b1b4d8e/jobs/7a8c/idtoken?api-version=2.0';

describe('tokenUrl', () => {
  it.each([
    ['sts.amazonaws.com', `${runnerUrl}&audience=sts.amazonaws.com`],
    ['https://github.com/acme', `${runnerUrl}&audience=https%3A%2F%2Fgithub.com%2Facme`],
  ])('audience %s', (audience, url) => {
    expect(tokenUrl(runnerUrl, audience)).toBe(url);
  });

  it('replaces an audience already on the URL', () => {
    expect(tokenUrl('http://127.0.0.1:8080/idtoken?audience=api://AzureADTokenExchange&api-version=2.0', 'sts.amazonaws.com')).toBe(
      'http://127.0.0.1:8080/idtoken?audience=sts.amazonaws.com&api-version=2.0',
    );
  });
});

// The runner's token service, scripted: each request takes the next answer.
type Answer = { status: number; body: string };
const answers: Answer[] = [];
const seen: IncomingMessage[] = [];
let base = '';
const server = createServer((req, res) => {
  seen.push(req);
  const answer = answers.shift() ?? { status: 500, body: 'no answer scripted' };
  res.writeHead(answer.status, { 'content-type': 'application/json' }).end(answer.body);
});
beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/idtoken?api-version=2.0`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const token = jwt(claims.environment);
const requestToken = 'ghs_requestTokenOfTheRunner0123456789';

describe('requestIdToken', () => {
  it.each<[string, Answer[], string | RegExp, number]>([
    ['a token on the first try', [{ status: 200, body: JSON.stringify({ value: token }) }], token, 1],
    [
      'a 5xx, then a token',
      [
        { status: 503, body: '{"message":"Service Unavailable"}' },
        { status: 200, body: JSON.stringify({ value: token }) },
      ],
      token,
      2,
    ],
    [
      'a refusal is not retried',
      [{ status: 403, body: '{"message":"Not authorized to request an ID token"}' }],
      /HTTP 403: Not authorized to request an ID token/,
      1,
    ],
    [
      'an answer without a value, retried, then given up',
      [
        { status: 200, body: '{}' },
        { status: 200, body: '{"value":""}' },
      ],
      /no token in its "value"/,
      2,
    ],
    [
      'an HTML error page is not echoed',
      [{ status: 401, body: '<html><body>Unauthorized</body></html>' }],
      /^the OIDC token request answered HTTP 401$/,
      1,
    ],
  ])('%s', async (_what, script, expected, requests) => {
    answers.splice(0, answers.length, ...script);
    seen.length = 0;
    const log = memoryLog();
    const masked: string[] = [];
    log.mask = (secret) => void masked.push(secret);
    const result = requestIdToken({
      requestUrl: base,
      requestToken,
      audience: 'sts.amazonaws.com',
      signal: new AbortController().signal,
      log,
      retries: 1,
    });
    if (typeof expected === 'string') {
      await expect(result).resolves.toBe(expected);
      expect(masked).toEqual([requestToken, token]);
    } else {
      await expect(result).rejects.toThrow(expected);
      expect(masked).toEqual([requestToken]);
    }
    expect(seen).toHaveLength(requests);
    expect(seen[0]?.headers.authorization).toBe(`Bearer ${requestToken}`);
    expect(seen[0]?.url).toBe('/idtoken?api-version=2.0&audience=sts.amazonaws.com');
  });
});
