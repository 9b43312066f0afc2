// A local GitHub REST API for Deployments: every request is checked against GitHub's published
// REST description first (route, method, parameters, body), then answered from kept state as
// GitHub answers (deployments, statuses newest first, auto_inactive, pagination, 404/422). Every
// answer is checked against the description's response schema too, so the emulation cannot
// drift from what a real client has to parse.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { RestDescription, type Problem, type Route } from './openapi.ts';

export interface RecordedRequest {
  method: string;
  path: string;
  operationId: string | undefined;
  status: number;
  /** Why the request was refused as malformed; empty when it fitted the description. */
  problems: Problem[];
}

export interface Deployment {
  id: number;
  node_id: string;
  sha: string;
  ref: string;
  task: string;
  payload: Record<string, unknown> | string;
  original_environment: string;
  environment: string;
  description: string | null;
  creator: Record<string, unknown>;
  created_at: string;
  updated_at: string;
  statuses_url: string;
  repository_url: string;
  url: string;
  transient_environment: boolean;
  production_environment: boolean;
  performed_via_github_app: null;
}

export interface DeploymentStatus {
  id: number;
  node_id: string;
  state: string;
  creator: Record<string, unknown>;
  description: string;
  environment: string;
  target_url: string;
  log_url: string;
  environment_url: string;
  created_at: string;
  updated_at: string;
  deployment_url: string;
  repository_url: string;
  url: string;
  performed_via_github_app: null;
}

export interface GitHubServerOptions {
  /** owner/name of the one repository this server has. */
  repository: string;
  /** The token a request must carry (Authorization: token|Bearer). */
  token: string;
  /** Branches and tags the repository has, name → SHA; any full 40-hex SHA is a commit. */
  refs?: Record<string, string>;
}

let description: RestDescription | undefined;

/** Reads the 13 MB description once per process. */
export function restDescription(): RestDescription {
  description ??= new RestDescription();
  return description;
}

export class GitHubServer {
  readonly requests: RecordedRequest[] = [];
  readonly deployments: Deployment[] = [];
  readonly statuses = new Map<number, DeploymentStatus[]>();
  /** Set by listen(): http://127.0.0.1:PORT */
  apiUrl = '';
  private nextId = 1000;
  private readonly refs: Map<string, string>;
  private readonly options: GitHubServerOptions;
  private readonly server = createServer((req, res) => {
    this.handle(req, res).catch((error: unknown) => this.send(res, 500, { message: `bed github: ${String(error)}` }));
  });
  /** Scheduled answers that override the next requests (to inject a 5xx or throttling). */
  private readonly faults: { status: number; times: number; headers?: Record<string, string> }[] = [];

  constructor(options: GitHubServerOptions) {
    this.options = options;
    this.refs = new Map(Object.entries(options.refs ?? {}));
  }

  /** Reads the description and compiles the checks of the emulated routes now, not on the first request. */
  warm(): void {
    const d = restDescription();
    for (const [method, path] of [
      ['POST', '/repos/o/r/deployments'],
      ['GET', '/repos/o/r/deployments'],
      ['GET', '/repos/o/r/deployments/1'],
      ['POST', '/repos/o/r/deployments/1/statuses'],
      ['GET', '/repos/o/r/deployments/1/statuses'],
    ] as const) {
      const route = d.match(method, path);
      if ('problem' in route) throw new Error(route.problem);
      d.checkRequest(route, new URLSearchParams(), 'application/json', {}, method === 'POST');
      d.checkResponse(route, method === 'POST' ? 201 : 200, {});
    }
  }

  async listen(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(0, '127.0.0.1', () => resolve());
    });
    this.apiUrl = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  addRef(name: string, sha: string): void {
    this.refs.set(name, sha);
  }

  /** The next `times` requests are answered `status` (e.g. 502, or 403 with a spent rate limit). */
  fault(status: number, times = 1, headers?: Record<string, string>): void {
    this.faults.push({ status, times, ...(headers ? { headers } : {}) });
  }

  private send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
    const text = body === undefined ? '' : JSON.stringify(body);
    res.writeHead(status, {
      'content-type': 'application/json; charset=utf-8',
      'x-github-media-type': 'github.v3; format=json',
      'x-ratelimit-limit': '5000',
      'x-ratelimit-remaining': '4999',
      ...headers,
    });
    res.end(text);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.apiUrl);
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const method = req.method ?? 'GET';
    const record = (status: number, operationId?: string, problems: Problem[] = []): void => {
      this.requests.push({ method, path: url.pathname + url.search, operationId, status, problems });
    };

    const route = restDescription().match(method, url.pathname);
    if ('problem' in route) {
      record(route.status, undefined, [{ where: 'route', message: route.problem }]);
      return this.send(res, 404, { message: 'Not Found', documentation_url: 'https://docs.github.com/rest', bed: route.problem });
    }
    const auth = req.headers.authorization ?? '';
    if (auth !== `token ${this.options.token}` && auth !== `Bearer ${this.options.token}`) {
      record(401, route.operationId, [{ where: 'authorization', message: auth ? "not this server's token" : 'missing' }]);
      return this.send(res, 401, { message: 'Bad credentials', documentation_url: 'https://docs.github.com/rest' });
    }
    let body: unknown;
    if (raw) {
      try {
        body = JSON.parse(raw) as unknown;
      } catch {
        record(400, route.operationId, [{ where: 'body', message: 'is not JSON' }]);
        return this.send(res, 400, { message: 'Problems parsing JSON', documentation_url: 'https://docs.github.com/rest' });
      }
    }
    const problems = restDescription().checkRequest(route, url.searchParams, req.headers['content-type'], body, raw.length > 0);
    if (problems.length > 0) {
      record(422, route.operationId, problems);
      return this.send(res, 422, {
        message: 'Invalid request.',
        errors: problems.map((p) => `${p.where}: ${p.message}`),
        documentation_url: 'https://docs.github.com/rest',
      });
    }
    const fault = this.faults[0];
    if (fault) {
      if (--fault.times <= 0) this.faults.shift();
      record(fault.status, route.operationId);
      return this.send(res, fault.status, { message: `bed fault ${fault.status}` }, fault.headers);
    }
    const answer = this.answer(route, url.searchParams, body as Record<string, unknown> | undefined);
    if (answer.status < 300) {
      const wrong = restDescription().checkResponse(route, answer.status, answer.body);
      if (wrong.length > 0) {
        record(
          500,
          route.operationId,
          wrong.map((p) => ({ ...p, where: `emulation ${p.where}` })),
        );
        return this.send(res, 500, { message: `bed github: own answer does not fit the description: ${JSON.stringify(wrong)}` });
      }
    }
    record(answer.status, route.operationId);
    this.send(res, answer.status, answer.body, answer.headers);
  }

  private answer(
    route: Route,
    query: URLSearchParams,
    body: Record<string, unknown> | undefined,
  ): { status: number; body?: unknown; headers?: Record<string, string> } {
    const { owner, repo } = route.params;
    if (owner !== undefined && `${owner}/${repo}` !== this.options.repository) {
      return { status: 404, body: { message: 'Not Found', documentation_url: 'https://docs.github.com/rest' } };
    }
    const id = Number(route.params.deployment_id);
    switch (route.operationId) {
      case 'repos/create-deployment':
        return this.createDeployment(body ?? {});
      case 'repos/list-deployments': {
        let list = [...this.deployments].reverse();
        for (const key of ['sha', 'ref', 'task', 'environment'] as const) {
          const want = query.get(key);
          if (want !== null && want !== 'none') list = list.filter((d) => d[key] === want);
        }
        return this.page(list, query, route);
      }
      case 'repos/get-deployment': {
        const d = this.deployments.find((x) => x.id === id);
        return d
          ? { status: 200, body: d }
          : { status: 404, body: { message: 'Not Found', documentation_url: 'https://docs.github.com/rest' } };
      }
      case 'repos/create-deployment-status':
        return this.createStatus(id, body ?? {});
      case 'repos/list-deployment-statuses': {
        if (!this.deployments.some((d) => d.id === id))
          return { status: 404, body: { message: 'Not Found', documentation_url: 'https://docs.github.com/rest' } };
        return this.page([...(this.statuses.get(id) ?? [])].reverse(), query, route);
      }
      default:
        return { status: 501, body: { message: `bed github: ${route.operationId} is in GitHub's description but not emulated here` } };
    }
  }

  private page<T>(list: T[], query: URLSearchParams, route: Route): { status: number; body: T[]; headers: Record<string, string> } {
    const perPage = Math.min(Number(query.get('per_page') ?? 30), 100);
    const page = Number(query.get('page') ?? 1);
    const last = Math.max(1, Math.ceil(list.length / perPage));
    const headers: Record<string, string> = {};
    if (page < last) {
      const base = `${this.apiUrl}${route.template.replace(/\{(\w+)\}/g, (_m, k: string) => route.params[k] ?? '')}`;
      const link = (p: number, rel: string): string => {
        const q = new URLSearchParams(query);
        q.set('page', String(p));
        return `<${base}?${q.toString()}>; rel="${rel}"`;
      };
      headers.link = [link(page + 1, 'next'), link(last, 'last')].join(', ');
    }
    return { status: 200, body: list.slice((page - 1) * perPage, page * perPage), headers };
  }

  private user(): Record<string, unknown> {
    const login = 'github-actions[bot]';
    const u = `${this.apiUrl}/users/${encodeURIComponent(login)}`;
    return {
      login,
      id: 41898282,
      node_id: 'MDM6Qm90NDE4OTgyODI=',
      avatar_url: 'https://avatars.githubusercontent.com/in/15368?v=4',
      gravatar_id: '',
      url: u,
      html_url: 'https://github.com/apps/github-actions',
      followers_url: `${u}/followers`,
      following_url: `${u}/following{/other_user}`,
      gists_url: `${u}/gists{/gist_id}`,
      starred_url: `${u}/starred{/owner}{/repo}`,
      subscriptions_url: `${u}/subscriptions`,
      organizations_url: `${u}/orgs`,
      repos_url: `${u}/repos`,
      events_url: `${u}/events{/privacy}`,
      received_events_url: `${u}/received_events`,
      type: 'Bot',
      site_admin: false,
    };
  }

  private createDeployment(body: Record<string, unknown>): { status: number; body: unknown } {
    const ref = String(body.ref);
    const sha = /^[0-9a-f]{40}$/.test(ref) ? ref : this.refs.get(ref);
    if (!sha) {
      return {
        status: 422,
        body: {
          message: `No ref found for: ${ref}`,
          documentation_url: 'https://docs.github.com/rest/deployments/deployments#create-a-deployment',
        },
      };
    }
    const environment = typeof body.environment === 'string' ? body.environment : 'production';
    let payload = body.payload ?? {};
    // A string payload is JSON text; GitHub stores what it parses to.
    if (typeof payload === 'string') payload = payload ? (JSON.parse(payload) as Record<string, unknown>) : {};
    const id = this.nextId++;
    const now = new Date().toISOString();
    const repoUrl = `${this.apiUrl}/repos/${this.options.repository}`;
    const deployment: Deployment = {
      url: `${repoUrl}/deployments/${id}`,
      id,
      node_id: Buffer.from(`Deployment${id}`).toString('base64'),
      sha,
      ref,
      task: typeof body.task === 'string' ? body.task : 'deploy',
      payload: payload as Record<string, unknown>,
      original_environment: environment,
      environment,
      description: typeof body.description === 'string' ? body.description : null,
      creator: this.user(),
      created_at: now,
      updated_at: now,
      statuses_url: `${repoUrl}/deployments/${id}/statuses`,
      repository_url: repoUrl,
      transient_environment: body.transient_environment === true,
      production_environment: typeof body.production_environment === 'boolean' ? body.production_environment : environment === 'production',
      performed_via_github_app: null,
    };
    this.deployments.push(deployment);
    this.statuses.set(id, []);
    return { status: 201, body: deployment };
  }

  private createStatus(id: number, body: Record<string, unknown>): { status: number; body: unknown } {
    const deployment = this.deployments.find((d) => d.id === id);
    if (!deployment) return { status: 404, body: { message: 'Not Found', documentation_url: 'https://docs.github.com/rest' } };
    const list = this.statuses.get(id) ?? [];
    const state = String(body.state);
    const environment = typeof body.environment === 'string' ? body.environment : (list.at(-1)?.environment ?? deployment.environment);
    const status = this.makeStatus(deployment, state, {
      description: typeof body.description === 'string' ? body.description : '',
      environment,
      log_url: typeof body.log_url === 'string' ? body.log_url : typeof body.target_url === 'string' ? body.target_url : '',
      environment_url: typeof body.environment_url === 'string' ? body.environment_url : '',
    });
    if (status.description.length > 140) {
      return {
        status: 422,
        body: {
          message: 'Validation Failed',
          errors: [
            {
              resource: 'DeploymentStatus',
              code: 'custom',
              field: 'description',
              message: 'description is too long (maximum is 140 characters)',
            },
          ],
          documentation_url: 'https://docs.github.com/rest',
        },
      };
    }
    list.push(status);
    deployment.updated_at = status.created_at;
    // auto_inactive (default true): a success marks earlier successful deployments of the same
    // environment inactive, except production and transient ones, as GitHub does.
    if (state === 'success' && body.auto_inactive !== false && !deployment.transient_environment && !deployment.production_environment) {
      for (const other of this.deployments) {
        if (other.id === id || other.environment !== deployment.environment || other.production_environment || other.transient_environment)
          continue;
        const theirs = this.statuses.get(other.id) ?? [];
        if (theirs.some((s) => s.state === 'success') && theirs.at(-1)?.state !== 'inactive') {
          theirs.push(
            this.makeStatus(other, 'inactive', { description: '', environment: other.environment, log_url: '', environment_url: '' }),
          );
        }
      }
    }
    return { status: 201, body: status };
  }

  private makeStatus(
    deployment: Deployment,
    state: string,
    fields: { description: string; environment: string; log_url: string; environment_url: string },
  ): DeploymentStatus {
    const sid = this.nextId++;
    const now = new Date().toISOString();
    return {
      url: `${deployment.url}/statuses/${sid}`,
      id: sid,
      node_id: Buffer.from(`DeploymentStatus${sid}`).toString('base64'),
      state,
      creator: this.user(),
      description: fields.description,
      environment: fields.environment,
      target_url: fields.log_url,
      log_url: fields.log_url,
      environment_url: fields.environment_url,
      created_at: now,
      updated_at: now,
      deployment_url: deployment.url,
      repository_url: deployment.repository_url,
      performed_via_github_app: null,
    };
  }
}
