// The baseline of the HTTP benchmarks: a bare fastify server in its own process whose one route
// answers a constant body, as fast as this machine's Node.js and fastify can answer anything.
// Our figures are read as fractions of it, measured side by side in the same run.
//
// Run as a script (the child): `node bare-route.js` reads the body from BARE_BODY, listens on a
// free loopback port and prints it. Imported: startBareRoute() spawns that child.

import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import Fastify from 'fastify';

export interface BareRoute {
  readonly url: string;
  readonly pid: number;
  stop(): Promise<void>;
}

/** Start the bare server answering `body` (JSON) with 200 at GET /bare. */
export async function startBareRoute(body: unknown): Promise<BareRoute> {
  const child = spawn(process.execPath, [fileURLToPath(import.meta.url)], {
    env: { ...process.env, BARE_BODY: JSON.stringify(body) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    let printed = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      printed += chunk.toString();
      const match = /listening (\d+)/.exec(printed);
      if (match) resolve(Number(match[1]));
    });
    child.once('exit', (code) => reject(new Error(`the bare route exited with ${String(code)} before listening`)));
  });
  return {
    url: `http://127.0.0.1:${port}/bare`,
    pid: child.pid!,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const body = process.env.BARE_BODY ?? '{}';
  const app = Fastify({ logger: false });
  app.get('/bare', async (_request, reply) => reply.header('content-type', 'application/json; charset=utf-8').send(body));
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  process.stdout.write(`listening ${typeof address === 'object' && address !== null ? address.port : 0}\n`);
  process.once('SIGTERM', () => void app.close().then(() => process.exit(0)));
}
