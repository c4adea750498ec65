// Large NDJSON imports streamed over HTTP, on SQLite and PostgreSQL: more users than one write
// batch all arrive right, a bad line near the end writes nothing, a client that hangs up
// mid-body writes nothing and leaves the server up, one that pauses holds no write, re-imports
// merge, and the server answers other requests while an import runs. The server keeps at most
// 256 KiB of a body in memory here, so these bodies go through the temporary file.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { randomAccountId, startTestServer, type TestServer } from '../../../test/support/server.js';
import { describeEachDatabase } from '../../../test/support/suite.js';
import { logLines } from '../../../test/support/log-lines.js';

/** More than one write batch (10,000 rows on SQLite) and many COPY chunks (2,000 rows). */
const USERS = 25_000;

const entry = (i: number, name = `User ${i}`) => ({ email: `User${i}@Example.com`, name, identity: { ip: `10.0.${(i >> 8) & 255}.${i & 255}`, groups: [{ name: `team-${i % 7}` }] } });
const lines = (count: number, line: (i: number) => string = (i) => JSON.stringify(entry(i))): string[] => Array.from({ length: count }, (_, i) => line(i));

interface Sent {
  readonly status: number;
  readonly json: any;
}

/** An import request not yet sent, and its answer once it comes. */
function importRequest(s: TestServer, account: string): { request: http.ClientRequest; answer: Promise<Sent> } {
  const request = http.request(`${s.apiUrl}/accounts/${account}/access/users/import`, {
    method: 'POST',
    headers: { authorization: `Bearer ${s.rootToken}`, 'content-type': 'application/x-ndjson' },
  });
  const answer = new Promise<Sent>((resolve, reject) => {
    request.on('error', reject);
    request.on('response', (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (text += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, json: JSON.parse(text) }));
    });
  });
  return { request, answer };
}

/**
 * POST NDJSON in 64 KiB pieces with chunked transfer encoding (no length known up front), as a
 * client streaming a file does. `hangUpAfter`: bytes after which the client closes the connection.
 */
function streamImport(s: TestServer, account: string, body: string, hangUpAfter?: number): Promise<Sent | 'hung up'> {
  const { request, answer } = importRequest(s, account);
  return new Promise((resolve, reject) => {
    answer.then(resolve, (err) => (hangUpAfter !== undefined ? resolve('hung up') : reject(err)));
    const bytes = Buffer.from(body);
    let at = 0;
    const writeMore = (): void => {
      while (at < bytes.length) {
        if (hangUpAfter !== undefined && at >= hangUpAfter) {
          request.destroy();
          resolve('hung up');
          return;
        }
        const piece = bytes.subarray(at, at + 65_536);
        at += piece.length;
        if (!request.write(piece)) {
          request.once('drain', writeMore);
          return;
        }
      }
      request.end();
    };
    writeMore();
  });
}

/** An import whose client sends `first`, then waits: `finish` sends the rest and gives the answer. */
function pausedImport(s: TestServer, account: string, first: string): { finish(rest: string): Promise<Sent> } {
  const { request, answer } = importRequest(s, account);
  request.write(first);
  return {
    finish(rest) {
      request.end(rest);
      return answer;
    },
  };
}

await describeEachDatabase('streamed user import', (s) => {
  const allUsers = (account: string) => s.store.read.usersAfter(account, 0, USERS * 2);

  it('imports more users than one write batch, each with the right email, name and identity, in order; a re-import updates them all', async () => {
    const account = randomAccountId();
    const created = await streamImport(s, account, lines(USERS).join('\n') + '\n');
    assert.notEqual(created, 'hung up');
    assert.deepEqual(created !== 'hung up' && [created.status, created.json.result], [200, { created: USERS, updated: 0, unchanged: 0 }]);
    let users = await allUsers(account);
    assert.equal(users.length, USERS);
    users.forEach((user, i) => {
      const { email, name, identity } = entry(i);
      assert.deepEqual([user.email, user.name, user.identity], [email, name, { ...identity, email }], `user ${i}`);
      assert.notEqual(user.lastSeenAt, null);
    });
    assert.equal(new Set(users.map((u) => u.id)).size, USERS, 'every user has an id of their own');

    // Emails compare case-insensitively: the same people, renamed, are updated, not duplicated.
    const renamed = await streamImport(s, account, lines(USERS, (i) => JSON.stringify({ ...entry(i, `Renamed ${i}`), email: `user${i}@example.com` })).join('\n'));
    assert.deepEqual(renamed !== 'hung up' && renamed.json.result, { created: 0, updated: USERS, unchanged: 0 });
    const before = users;
    users = await allUsers(account);
    assert.equal(users.length, USERS);
    users.forEach((user, i) => {
      assert.deepEqual([user.id, user.email, user.name], [before[i]!.id, before[i]!.email, `Renamed ${i}`], `user ${i}`);
      assert.equal((user.identity as { email: string }).email, `user${i}@example.com`);
    });
  });

  it('writes nothing when a line near the end of a large import is bad, and names that line', async () => {
    const account = randomAccountId();
    const body = lines(USERS);
    body[USERS - 3] = JSON.stringify({ email: 'late@example.com', identity: { ip: 'not an ip' } });
    body[USERS - 1] = '{"email": "truncated@example.com"';
    const answer = await streamImport(s, account, body.join('\n'));
    assert.ok(answer !== 'hung up');
    assert.equal(answer.status, 400);
    assert.deepEqual(answer.json.errors.map((e: any) => e.source.pointer), [`/line/${USERS - 2}/identity/ip`, `/line/${USERS}`]);
    assert.match(answer.json.errors[1].message, new RegExp(`^Line ${USERS} is not valid JSON`));
    assert.equal((await allUsers(account)).length, 0);
  });

  it('merges an import into existing users: named fields change, fields left out are kept, new emails are created', async () => {
    const account = randomAccountId();
    const first = await streamImport(s, account, lines(3).join('\n'));
    assert.deepEqual(first !== 'hung up' && first.json.result, { created: 3, updated: 0, unchanged: 0 });
    const [u0, u1, u2] = await allUsers(account);
    const second = await streamImport(
      s,
      account,
      [
        JSON.stringify({ email: 'user0@example.com', name: 'Zero', identity: { ip: '192.0.2.1' } }),
        JSON.stringify({ email: 'USER1@EXAMPLE.COM' }),
        JSON.stringify({ email: 'user2@example.com', name: '' }),
        JSON.stringify({ email: 'new@example.com' }),
      ].join('\n'),
    );
    assert.deepEqual(second !== 'hung up' && second.json.result, { created: 1, updated: 2, unchanged: 1 });
    const after = await allUsers(account);
    assert.deepEqual(
      after.map((u) => [u.id, u.email, u.name, u.identity]),
      [
        [u0!.id, u0!.email, 'Zero', { ip: '192.0.2.1', email: 'user0@example.com' }],
        [u1!.id, u1!.email, u1!.name, u1!.identity],
        [u2!.id, u2!.email, '', u2!.identity],
        [after[3]!.id, 'new@example.com', '', null],
      ],
    );
    assert.equal(after[3]!.lastSeenAt, null);
    assert.equal(after[1]!.lastSeenAt, u1!.lastSeenAt, 'no identity sent: last seen stays');
  });

  it('writes nothing when the client hangs up in the middle of its body, and keeps serving', async () => {
    const account = randomAccountId();
    const body = lines(USERS).join('\n');
    assert.equal(await streamImport(s, account, body, Math.floor(body.length / 2)), 'hung up');
    // The next import of the account queues behind anything the first could have started.
    const next = await streamImport(s, account, lines(2, (i) => JSON.stringify({ email: `after${i}@example.com` })).join('\n'));
    assert.deepEqual(next !== 'hung up' && [next.status, next.json.result], [200, { created: 2, updated: 0, unchanged: 0 }]);
    assert.deepEqual((await allUsers(account)).map((u) => u.email), ['after0@example.com', 'after1@example.com']);
  });

  it("holds no write of the account while a paused client's entries are checked, and imports them all once the rest arrives", async () => {
    const account = randomAccountId();
    const all = lines(USERS);
    // Past the batches checked ahead of the body's end: checking waits too.
    const paused = pausedImport(s, account, all.slice(0, 20_000).join('\n') + '\n');
    await new Promise((resolve) => setTimeout(resolve, 500));
    let timer: NodeJS.Timeout | undefined;
    const stuck = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error('a write waited on the paused import')), 10_000)));
    const [meanwhile] = await Promise.allSettled([Promise.race([s.api('POST', `/accounts/${account}/access/users`, { email: 'meanwhile@example.com', name: 'Meanwhile' }), stuck])]);
    clearTimeout(timer);
    // Whatever happened, the paused client finishes (a request left open would keep the server up).
    const done = await paused.finish(all.slice(20_000).join('\n'));
    if (meanwhile.status === 'rejected') throw meanwhile.reason;
    const created = meanwhile.value;
    assert.equal(created.status, 201, JSON.stringify(created.json));
    assert.deepEqual([done.status, done.json.result], [200, { created: USERS, updated: 0, unchanged: 0 }]);
    assert.equal((await allUsers(account)).length, USERS + 1);
  });

  it('answers other requests while a large import is read, checked and written', async () => {
    const account = randomAccountId();
    const importing = streamImport(s, account, lines(USERS).join('\n'));
    const listed = await s.api('GET', `/accounts/${account}/access/users`);
    assert.equal(listed.status, 200);
    const done = await importing;
    assert.deepEqual(done !== 'hung up' && done.json.result, { created: USERS, updated: 0, unchanged: 0 });
  });
}, { spool: { afterBytes: 256 * 1024 } });

describe('streamed user import limit', () => {
  let s: TestServer;
  before(async () => {
    s = await startTestServer({ settings: { importBodyLimitBytes: 4096 } });
  });
  after(() => s.close());

  it('refuses a body sent without a length once it passes the limit, writes nothing, and answers the next request on a kept-alive connection at once', async () => {
    const account = randomAccountId();
    // Far past the limit (260 KiB): most of it still on its way when the answer is sent.
    const answer = await streamImport(s, account, lines(2_000).join('\n'));
    assert.ok(answer !== 'hung up');
    assert.deepEqual([answer.status, answer.json.errors[0].code], [413, 1003]);
    assert.match(answer.json.errors[0].message, /4096 bytes/);
    assert.equal((await s.store.read.usersAfter(account, 0, 1000)).length, 0);
    // The rest of that body is never read: the connection closes after the answer, so the next
    // request (Node's agent keeps connections alive) does not wait behind it on the same one.
    const next = await streamImport(s, account, lines(3).join('\n'));
    assert.deepEqual(next !== 'hung up' && [next.status, next.json.result], [200, { created: 3, updated: 0, unchanged: 0 }]);
  });
});

describe('streamed user import whose body cannot wait in a file', () => {
  let s: TestServer;
  before(async () => {
    // A directory that does not exist: the body's temporary file cannot be made.
    s = await startTestServer({ spool: { dir: '/nonexistent/portcullis-spool', afterBytes: 1024 } });
  });
  after(() => s.close());

  it('answers 503 body_not_kept with the error code alone, writes nothing, and keeps serving', async () => {
    const account = randomAccountId();
    const answer = await streamImport(s, account, lines(2_000).join('\n'));
    assert.ok(answer !== 'hung up');
    assert.deepEqual([answer.status, answer.json.success, answer.json.errors[0].code], [503, false, 1504]);
    assert.match(answer.json.errors[0].message, /\(ENOENT\)/);
    assert.doesNotMatch(answer.json.errors[0].message, /nonexistent/);
    assert.equal((await s.store.read.usersAfter(account, 0, 10_000)).length, 0);
    const small = await streamImport(s, account, lines(3).join('\n'));
    assert.deepEqual(small !== 'hung up' && [small.status, small.json.result], [200, { created: 3, updated: 0, unchanged: 0 }]);
  });
});

describe('user imports at once', () => {
  let s: TestServer;
  const { lines: log, stream } = logLines<{ level: number; msg: string }>();
  before(async () => {
    s = await startTestServer({ settings: { importConcurrency: 1 }, logger: { level: 'info', stream } });
  });
  after(() => s.close());
  const emails = async (account: string) => (await s.store.read.usersAfter(account, 0, 1000)).map((u) => u.email);
  const settle = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  it('runs an import past the limit after the one before it; a client that leaves while it waits gets nothing written and takes no slot with it', async () => {
    const [first, second, leaving, last] = [randomAccountId(), randomAccountId(), randomAccountId(), randomAccountId()];
    const firstLines = lines(100);
    const running = pausedImport(s, first, firstLines.slice(0, 50).join('\n') + '\n');
    let secondAnswered = false;
    let waiting: Promise<Sent | 'hung up'> | undefined;
    let observed: { secondAnswered: boolean; secondEmails: string[] } | undefined;
    let done: Sent;
    try {
      await settle(500);
      waiting = streamImport(s, second, lines(3).join('\n')).then((answer) => {
        secondAnswered = true;
        return answer;
      });
      const { request: leaver, answer: leaverAnswer } = importRequest(s, leaving);
      leaverAnswer.catch(() => undefined);
      leaver.end(lines(2).join('\n'));
      // A JSON import has sent its whole body by the time it waits; it leaves all the same.
      const jsonLeaver = http.request(`${s.apiUrl}/accounts/${leaving}/access/users/import`, {
        method: 'POST',
        headers: { authorization: `Bearer ${s.rootToken}`, 'content-type': 'application/json' },
      });
      jsonLeaver.on('error', () => undefined);
      jsonLeaver.end(JSON.stringify({ users: [entry(900), entry(901)] }));
      await settle(500);
      leaver.destroy();
      jsonLeaver.destroy();
      await settle(300);
      observed = { secondAnswered, secondEmails: await emails(second) };
    } finally {
      // Whatever happened, the paused client finishes (a request left open would keep the server up).
      done = await running.finish(firstLines.slice(50).join('\n'));
    }
    assert.deepEqual(observed, { secondAnswered: false, secondEmails: [] }, 'the second import waits while the first holds the only slot');
    assert.deepEqual([done.status, done.json.result], [200, { created: 100, updated: 0, unchanged: 0 }]);
    const secondDone = await waiting!;
    assert.deepEqual(secondDone !== 'hung up' && [secondDone.status, secondDone.json.result], [200, { created: 3, updated: 0, unchanged: 0 }]);
    // The slot was not lost to the client that left: a later import runs.
    const lastDone = await streamImport(s, last, lines(1).join('\n'));
    assert.deepEqual(lastDone !== 'hung up' && [lastDone.status, lastDone.json.result], [200, { created: 1, updated: 0, unchanged: 0 }]);
    assert.deepEqual(await emails(leaving), [], 'nothing is written for the clients that left');
    assert.equal((await emails(first)).length, 100);
    assert.deepEqual(log.filter((line) => line.level >= 40), [], 'a client that leaves is no failure of the server');
  });
});
