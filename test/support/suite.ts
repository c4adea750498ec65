// One describe() per database kind (SQLite, and PostgreSQL unless it is absent), each with a
// fresh test server that starts before its tests and closes after them.

import { describe, before, after } from 'node:test';
import type Cloudflare from 'cloudflare';
import { databaseKinds } from './databases.js';
import { startTestServer, type TestServer, type TestServerOptions } from './server.js';

/** The suite's server, with an SDK client for it. */
export interface SuiteServer extends TestServer {
  readonly cf: Cloudflare;
}

/**
 * Declares `body`'s tests once per database kind. `body` receives the server before it has
 * started (tests are declared first, run later), so it is a stand-in that forwards every
 * property to the running server; using it outside a test throws.
 */
export async function describeEachDatabase(title: string, body: (s: SuiteServer) => void, options: Omit<TestServerOptions, 'database'> = {}): Promise<void> {
  for (const kind of await databaseKinds()) {
    describe(`${title} (${kind.name})`, { skip: kind.skip }, () => {
      let running: SuiteServer | undefined;
      before(async () => {
        const server = await startTestServer({ ...options, database: await kind.create() });
        running = Object.assign(Object.create(null), server, { cf: server.sdk() }) as SuiteServer;
      });
      after(() => running?.close());
      const standIn = new Proxy({} as SuiteServer, {
        get: (_target, key) => {
          if (running === undefined) throw new Error(`the test server of "${title}" is used before it started`);
          return Reflect.get(running, key);
        },
      });
      body(standIn);
    });
  }
}
