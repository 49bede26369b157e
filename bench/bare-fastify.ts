import Fastify from 'fastify';

/** The baseline: a bare Fastify hello-world, logger off, on the port given in argv. */
const app = Fastify({ logger: false });
app.get('/', async () => ({ hello: 'world' }));
await app.listen({ port: Number(process.argv[2]), host: '127.0.0.1' });
