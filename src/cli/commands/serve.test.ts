// `portcullis serve` as `npm start` runs it, at the default log level: the start banner is for a
// person, with no JSON log line in it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { connect, createServer, type AddressInfo, type Socket } from 'node:net';
import { postgresDatabase, postgresUnavailable, tempDir } from '../../../test/support/databases.js';
import { startServerProcess } from '../../../test/support/server-process.js';

test('the start banner (with the demo loaded) holds no JSON log line at the default log level', async () => {
  const dir = tempDir('portcullis-banner-');
  const server = await startServerProcess(join(dir.path, 'data'), { PORTCULLIS_LOG_LEVEL: 'info' }, ['--demo']);
  try {
    const output = await server.waitForOutput(/then follow it with: .+\n/);
    const lines = output.trimEnd().split('\n');
    assert.match(lines[0], /^portcullis listening on http:\/\/127\.0\.0\.1:\d+$/);
    assert.ok(lines.some((l) => l.startsWith('  root API token')) && lines.some((l) => l.startsWith('  demo:')), output);
    assert.deepEqual(lines.filter((l) => l.trimStart().startsWith('{')), [], 'no JSON line between the banner lines');
  } finally {
    await server.stop();
    dir.remove();
  }
});

test('a start waits for a PostgreSQL that is not taking connections yet (a server started beside its database), and with PORTCULLIS_DB_WAIT_S=0 stops at once', { skip: await postgresUnavailable(), timeout: 60_000 }, async () => {
  const database = await postgresDatabase();
  const target = new URL(database.url);
  // A port nothing listens on: a start told not to wait stops at once.
  const reserved = createServer();
  await new Promise<void>((resolve) => reserved.listen(0, '127.0.0.1', resolve));
  const port = (reserved.address() as AddressInfo).port;
  await new Promise<void>((resolve) => reserved.close(() => resolve()));
  const late = new URL(database.url);
  late.hostname = '127.0.0.1';
  late.port = String(port);
  const dir = tempDir('portcullis-db-wait-');
  const refused = startServerProcess(join(dir.path, 'refused'), { PORTCULLIS_DB: late.toString(), PORTCULLIS_DB_WAIT_S: '0' });
  await assert.rejects(refused, /the server exited with 2 before printing/);
  // Then a "database" on that port that hangs up on every connection until a second after the
  // first (as a PostgreSQL still starting turns clients away), and relays to the real one after.
  const sockets = new Set<Socket>();
  let turnedAway = 0;
  let opening: NodeJS.Timeout | undefined;
  let open = false;
  const relay = createServer((inbound) => {
    inbound.on('error', () => undefined);
    if (!open) {
      if (turnedAway++ === 0) opening = setTimeout(() => (open = true), 1000);
      inbound.destroy();
      return;
    }
    const outbound = connect(Number(target.port || 5432), target.hostname);
    for (const socket of [inbound, outbound]) {
      sockets.add(socket);
      socket.on('error', () => undefined);
    }
    inbound.pipe(outbound).pipe(inbound);
  });
  await new Promise<void>((resolve) => relay.listen(port, '127.0.0.1', resolve));
  let server: Awaited<ReturnType<typeof startServerProcess>> | undefined;
  try {
    server = await startServerProcess(join(dir.path, 'waiting'), { PORTCULLIS_DB: late.toString() });
    const printed = await server.waitForOutput(/listening on/);
    assert.match(printed, /the database postgres:\/\/.+ cannot take connections yet \(.+\); trying again every second for up to 30 s/);
    assert.ok(turnedAway >= 1);
    assert.ok(printed.indexOf('cannot take connections yet') < printed.indexOf('listening on'), 'it said so before it listened');
    const answer = await fetch(`${server.apiUrl}/accounts/${server.accountId}/access/policies`, { headers: { authorization: `Bearer ${server.token}` } });
    assert.equal(answer.status, 200, 'and it serves from that database once it came');
  } finally {
    if (opening !== undefined) clearTimeout(opening);
    await server?.stop();
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => relay.close(() => resolve()));
    await database.drop();
    dir.remove();
  }
});

test("the banner names the organization's auth_domain, which sign-ins and tokens use, over --auth-domain, and the applications' port when given", async () => {
  const dir = tempDir('portcullis-banner-auth-domain-');
  const data = join(dir.path, 'data');
  const flags = ['--auth-domain', 'http://127.0.0.1:9'];
  let server = await startServerProcess(data, {}, flags);
  try {
    const first = await server.waitForOutput(/SCIM: .*\n/);
    assert.match(first, /auth domain http:\/\/127\.0\.0\.1:9\n/, 'without an organization, --auth-domain');
    assert.doesNotMatch(first, /launcher:/, 'no applications port given, no line for it');
    const put = await fetch(`${server.apiUrl}/accounts/${server.accountId}/access/organizations`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${server.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Acme', auth_domain: 'access.acme.example' }),
    });
    assert.equal(put.status, 200);
    await server.stop();
    server = await startServerProcess(data, {}, [...flags, '--app-port', '8080']);
    const second = await server.waitForOutput(/SCIM: .*\n/);
    assert.match(second, /launcher: +App Launcher tiles open the applications on port 8080 \(--app-port\)\n/);
    assert.match(second, /auth domain https:\/\/access\.acme\.example \(the organization's auth_domain\)\n/);
    assert.match(second, /SCIM: +https:\/\/access\.acme\.example\/scim\/v2\//);
    assert.doesNotMatch(second, /127\.0\.0\.1:9\b/);
  } finally {
    await server.stop();
    dir.remove();
  }
});
