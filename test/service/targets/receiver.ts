/** Test receivers on 127.0.0.1: a node:http server that records requests, and canary TCP listeners that count connections. */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createTcpServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

export interface ReceivedRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: string;
  receivedAt: number;
}

export interface Receiver {
  url: string;
  port: number;
  requests: ReceivedRequest[];
  /** Sockets accepted so far. */
  connections: number;
  close(): Promise<void>;
}

/** What a receiver answers: a status, headers and body, or 'hang' (never answer). */
export type Reply = { status: number; headers?: Record<string, string>; body?: string } | 'hang';

/** A receiver that records every request and answers with `reply(request)`. */
export async function startReceiver(reply: (req: ReceivedRequest) => Reply | Promise<Reply> = () => ({ status: 200 })): Promise<Receiver> {
  const requests: ReceivedRequest[] = [];
  const sockets = new Set<Socket>();
  const hanging = new Set<ServerResponse>();
  let connections = 0;
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers[k] = v;
      const r: ReceivedRequest = { method: req.method ?? '', url: req.url ?? '', headers, body: Buffer.concat(chunks).toString('utf8'), receivedAt: Date.now() };
      requests.push(r);
      void Promise.resolve(reply(r)).then((answer) => {
        if (answer === 'hang') {
          hanging.add(res);
          return;
        }
        res.writeHead(answer.status, answer.headers ?? {});
        res.end(answer.body ?? '');
      });
    });
  });
  server.keepAliveTimeout = 60_000;
  server.on('connection', (s: Socket) => {
    connections++;
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    get connections() {
      return connections;
    },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export interface Canary {
  port: number;
  /** Connections accepted on any of its listeners. */
  readonly connections: number;
  /** The addresses it listens on (127.0.0.1, and ::1 when the host has IPv6 loopback). */
  hosts: string[];
  close(): Promise<void>;
}

/** TCP listeners on 127.0.0.1 and ::1 (same port when possible) that count every connection and close it. */
export async function startCanary(): Promise<Canary> {
  let connections = 0;
  const servers: Server[] = [];
  const listen = (host: string, port: number): Promise<Server | null> =>
    new Promise((resolve) => {
      const s = createTcpServer((socket) => {
        connections++;
        socket.destroy();
      });
      s.once('error', () => resolve(null));
      s.listen(port, host, () => resolve(s));
    });
  const v4 = (await listen('127.0.0.1', 0))!;
  servers.push(v4);
  const port = (v4.address() as AddressInfo).port;
  const hosts = ['127.0.0.1'];
  const v6 = await listen('::1', port);
  if (v6 !== null) {
    servers.push(v6);
    hosts.push('::1');
  }
  return {
    port,
    hosts,
    get connections() {
      return connections;
    },
    async close() {
      await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
    },
  };
}

/** A fresh Standard Webhooks secret. */
export function newSecret(bytes = 24): string {
  const b = new Uint8Array(bytes);
  crypto.getRandomValues(b);
  return `whsec_${Buffer.from(b).toString('base64')}`;
}
