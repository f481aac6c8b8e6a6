// The server side of `npm run bench -- --http`, in its own process so its memory and CPU are its own:
//   node bench/http-server.mjs kairos <store>   kairos serve (startService) on <store>, no log lines below warn
//   node bench/http-server.mjs bare             a bare Fastify route returning the same 202 body: the ceiling
// Prints one JSON line {url, key} on stdout when listening; exits on SIGTERM.
import Fastify from 'fastify';
import pino from 'pino';

const [mode, store] = process.argv.slice(2);
let close;
if (mode === 'bare') {
  const app = Fastify({ logger: false });
  let id = 0;
  // The same work as the real route minus Kairos: parse the JSON body, answer 202 with a job-shaped body.
  app.post('/v1/jobs', async (request, reply) => {
    const body = request.body;
    return reply.status(202).send({ id: ++id, queue: body.queue, state: 'scheduled', runAt: new Date().toISOString(), key: null, outcome: 'created' });
  });
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  process.stdout.write(`${JSON.stringify({ url, key: null })}\n`);
  close = () => app.close();
} else {
  await import('../dist/stores.js');
  const { startService } = await import('../dist/service/serve.js');
  const service = await startService({ store, port: 0, logger: pino({ level: 'warn' }), announce: () => undefined });
  process.stdout.write(`${JSON.stringify({ url: service.url, key: service.firstKey })}\n`);
  close = () => service.close();
}
process.on('SIGTERM', () => void close().then(() => process.exit(0)));
