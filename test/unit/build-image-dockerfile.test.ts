import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkBuildContext } from '../../actions/build-image/src/dockerfile.ts';
import { InputError } from '../../packages/shared/src/errors.ts';

// Dockerfiles as teams write them: multi-stage, ARGs before FROM, named and unnamed stages.
const node = `# syntax=docker/dockerfile:1.7
ARG NODE_VERSION=22
FROM node:\${NODE_VERSION}-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev

FROM node:\${NODE_VERSION}-bookworm-slim AS build
WORKDIR /app
COPY . .
RUN npm ci && npm run build

FROM gcr.io/distroless/nodejs22-debian12 AS runtime
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
USER nonroot
CMD ["dist/server.js"]
`;

const go = `ARG REGISTRY
ARG GO_IMAGE=golang:1.23-alpine
FROM \${REGISTRY:-docker.io}/\${GO_IMAGE} AS builder
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -o /out/api ./cmd/api

FROM scratch
COPY --from=builder /out/api /api
ENTRYPOINT ["/api"]
`;

const privateBase = `ARG BASE
ARG VERSION=dev
FROM $BASE
ARG VERSION
LABEL version=$VERSION
COPY app /app
`;

const unnamed = `FROM python:3.12-slim
RUN pip wheel --wheel-dir /wheels -r requirements.txt
FROM python:3.12-slim
COPY --from=0 /wheels /wheels
`;

let workspace = '';
beforeAll(() => {
  workspace = mkdtempSync(join(tmpdir(), 'dockerfile-'));
  for (const [dir, text] of Object.entries({
    node,
    go,
    'private-base': privateBase,
    unnamed,
    'no-from': '# just a comment\nRUN echo hi\n',
  })) {
    mkdirSync(join(workspace, dir));
    writeFileSync(join(workspace, dir, 'Dockerfile'), text);
  }
});

const check = (dir: string, target?: string, buildArgs: Record<string, string> = {}, dockerfile = 'Dockerfile') =>
  checkBuildContext({ contextDir: join(workspace, dir), dockerfilePath: join(workspace, dir, dockerfile), workspace, target, buildArgs });

describe('checkBuildContext', () => {
  it.each([
    ['node', undefined, {}, ['deps', 'build', 'runtime'], 'runtime'],
    ['node', 'build', {}, ['deps', 'build', 'runtime'], 'build'],
    ['node', 'DEPS', {}, ['deps', 'build', 'runtime'], 'DEPS'],
    ['go', undefined, {}, ['builder', '1'], '1'],
    ['go', 'builder', {}, ['builder', '1'], 'builder'],
    ['private-base', undefined, { BASE: '123456789012.dkr.ecr.us-west-2.amazonaws.com/base/node:22' }, ['0'], '0'],
    ['unnamed', undefined, {}, ['0', '1'], '1'],
  ])('%s (target %s, build args %o): stages %o, builds %s', async (dir, target, buildArgs, stages, built) => {
    await expect(check(dir, target, buildArgs)).resolves.toEqual({ stages, built, secretMounts: new Set() });
  });

  it.each([
    ['node', 'test', {}, 'target', 'no stage named "test" in node/Dockerfile (stages: deps, build, runtime)'],
    ['unnamed', 'build', {}, 'target', 'no stage named "build" in unnamed/Dockerfile (it names no stages)'],
    ['private-base', undefined, {}, 'build-args', 'private-base/Dockerfile line 3 builds FROM $BASE but BASE has no value'],
    ['private-base', undefined, { VERSION: '1.2.3' }, 'build-args', 'BASE has no value'],
    ['no-from', undefined, {}, 'dockerfile', '"no-from/Dockerfile" has no FROM instruction'],
  ])('%s (target %s, build args %o) is refused on input %s', async (dir, target, buildArgs, input, message) => {
    const error = await check(dir, target, buildArgs).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).input).toBe(input);
    expect((error as InputError).message).toContain(message);
  });

  it('refuses a missing Dockerfile and a context that is not a directory, naming the path', async () => {
    await expect(check('node', undefined, {}, 'Dockerfile.prod')).rejects.toThrow(
      `input 'dockerfile': "node/Dockerfile.prod" does not exist in the workspace`,
    );
    await expect(check('services/web')).rejects.toThrow(`input 'context': "services/web" is not a directory in the workspace`);
  });
});
