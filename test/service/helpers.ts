/**
 * Shared set-up of the service tests: a real server (startService) on 127.0.0.1 on a fresh store of each kind, and a
 * client whose every response is checked against the server's own /openapi.json (status documented, body valid).
 */
import pino from 'pino';
import { Compile } from 'typebox/compile';
import { Agent, fetch, type Headers } from 'undici';
import { expect } from 'vitest';
import '../../src/stores.js';
import { startService, type RunningService, type ServeOptions } from '../../src/service/serve.js';
import type { StoreTarget } from '../engine/helpers.js';

export { STORE_TARGETS } from '../engine/helpers.js';

export interface TestService {
  service: RunningService;
  store: string;
  adminKey: string;
  announced: string[];
  close(failed?: boolean): Promise<void>;
}

/** A server on a fresh store of `target`, its first admin key, and loopback receivers allowed. */
export async function startTestService(target: StoreTarget, options: ServeOptions = {}): Promise<TestService> {
  const { store, cleanup } = await target.create();
  const announced: string[] = [];
  const service = await startService({
    store, port: 0, logger: pino({ level: 'silent' }), allowHosts: ['127.0.0.1'], queuePollMs: 200, shutdownTimeoutMs: 2_000,
    announce: (t) => announced.push(t), config: { pollIntervalMs: 200 }, ...options,
  });
  return {
    service, store, adminKey: service.firstKey!, announced,
    async close(failed = false) {
      await service.close();
      await cleanup(failed);
    },
  };
}

interface Operation {
  method: string;
  pattern: RegExp;
  template: string;
  responses: Record<string, { content?: Record<string, { schema?: unknown }> }>;
}

type Check = ReturnType<typeof Compile>;

/** Checks responses against an OpenAPI 3.1 document: the status must be documented and a JSON body must match its schema. */
export class OpenApiChecker {
  private readonly operations: Operation[] = [];
  private readonly compiled = new Map<unknown, Check>();
  checked = 0;

  constructor(doc: { paths: Record<string, Record<string, Operation['responses'] extends infer R ? { responses: R } : never>> }) {
    for (const [template, methods] of Object.entries(doc.paths)) {
      const pattern = new RegExp(`^${template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[^}]+\}/g, '[^/]*')}$`);
      for (const [method, op] of Object.entries(methods)) this.operations.push({ method: method.toUpperCase(), pattern, template, responses: op.responses });
    }
    // Literal paths (/v1/jobs/batch) before templated ones (/v1/jobs/{id}).
    this.operations.sort((a, b) => (a.template.includes('{') ? 1 : 0) - (b.template.includes('{') ? 1 : 0));
  }

  /** Throws (an assertion failure) when the response does not conform. */
  check(method: string, pathname: string, status: number, contentType: string | null, text: string): void {
    const op = this.operations.find((o) => o.method === method && o.pattern.test(pathname));
    if (op === undefined) {
      // A path the document does not have: only the not-found answer is allowed.
      expect(status, `${method} ${pathname} is not in /openapi.json, so it must be 404`).toBe(404);
      expect(JSON.parse(text)).toMatchObject({ error: { code: 'ROUTE_NOT_FOUND', requestId: expect.any(String) } });
      this.checked++;
      return;
    }
    const response = op!.responses[String(status)];
    expect(response, `${method} ${op.template} documents status ${status}`).toBeDefined();
    const schema = response!.content?.['application/json']?.schema;
    this.checked++;
    if (schema === undefined || !(contentType ?? '').includes('application/json')) return;
    let check = this.compiled.get(schema);
    if (check === undefined) this.compiled.set(schema, (check = Compile(schema as never)));
    const body: unknown = JSON.parse(text);
    const errors = check.Check(body) ? [] : [...check.Errors(body)].slice(0, 3);
    expect(errors, `${method} ${op.template} ${status} body matches its schema: ${text.slice(0, 300)}`).toEqual([]);
  }
}

const agent = new Agent({ keepAliveTimeout: 10_000, connections: 16 });

export interface ApiResponse<T = unknown> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

/** A client of one server; every response it receives goes through the checker. */
export class ApiClient {
  constructor(
    readonly baseUrl: string,
    readonly checker: OpenApiChecker | null,
    readonly key: string | null,
  ) {}

  static async connect(t: TestService): Promise<ApiClient> {
    const res = await fetch(`${t.service.url}/openapi.json`, { headers: { authorization: `Bearer ${t.adminKey}` } });
    expect(res.status).toBe(200);
    return new ApiClient(t.service.url, new OpenApiChecker((await res.json()) as never), t.adminKey);
  }

  withKey(key: string | null): ApiClient {
    return new ApiClient(this.baseUrl, this.checker, key);
  }

  async request<T = Record<string, unknown>>(method: string, path: string, body?: unknown, init: { rawBody?: string; headers?: Record<string, string> } = {}): Promise<ApiResponse<T>> {
    const headers: Record<string, string> = { ...init.headers };
    if (this.key !== null) headers.authorization = `Bearer ${this.key}`;
    const payload = init.rawBody ?? (body === undefined ? undefined : JSON.stringify(body));
    if (payload !== undefined) headers['content-type'] ??= 'application/json';
    const res = await fetch(`${this.baseUrl}${path}`, { method, headers, body: payload, dispatcher: agent });
    const text = await res.text();
    this.checker?.check(method, new URL(path, this.baseUrl).pathname, res.status, res.headers.get('content-type'), text);
    return { status: res.status, headers: res.headers, text, body: (text === '' || !(res.headers.get('content-type') ?? '').includes('json') ? text : JSON.parse(text)) as T };
  }
}
