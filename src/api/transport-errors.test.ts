// Requests refused before they reach a route (found by the API fuzzer): undecodable paths,
// overlong ids, malformed HTTP and oversized request lines all answer in the envelope (SCIM's
// error shape under its paths), and a connection the server closes says so, so a keep-alive
// client does not reuse it.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { rawClient, type RawAnswer, type RawClient } from '../../test/support/raw-http.js';
import { logLines } from '../../test/support/log-lines.js';
import { startTestServer, type TestServer } from '../../test/support/server.js';

describe('requests refused before routing', () => {
  let s: TestServer;
  let client: RawClient;
  before(async () => {
    s = await startTestServer();
    client = rawClient(s.baseUrl);
  });
  after(async () => {
    client.close();
    await s.close();
  });

  const get = (path: string, method = 'GET') => client.send({ method, path, headers: { authorization: `Bearer ${s.rootToken}` }, body: undefined });
  const errorOf = (answer: RawAnswer) => {
    assert.match(String(answer.headers['content-type']), /^application\/json/);
    const json = JSON.parse(answer.body.toString('utf8'));
    assert.equal(json.success, false);
    assert.equal(json.result, null);
    assert.equal(json.errors.length, 1);
    return json.errors[0] as { code: number; message: string };
  };

  it('answers a path that is not percent-encoded UTF-8 with 400 bad_request', async () => {
    for (const id of ['%ZZ', '%C0%AF', '%ED%A0%80', '%']) {
      const answer = await get(`/client/v4/accounts/${s.accountId}/access/policies/${id}`);
      assert.equal(answer.status, 400, id);
      assert.equal(errorOf(answer).code, 1005);
      assert.equal(answer.headers['x-should-retry'], 'false');
    }
  });

  it('answers an id longer than 256 characters with 414 uri_too_long', async () => {
    const answer = await get(`/client/v4/accounts/${s.accountId}/access/policies/${'a'.repeat(257)}`);
    assert.equal(answer.status, 414);
    assert.equal(errorOf(answer).code, 1006);
    assert.equal((await get(`/client/v4/accounts/${s.accountId}/access/policies/${'a'.repeat(256)}`)).status, 404);
  });

  it('answers malformed HTTP with 400 and oversized request lines with 431, closing the connection', async () => {
    const method = await get(`/client/v4/accounts/${s.accountId}/access/policies`, 'FOO');
    assert.equal(method.status, 400);
    assert.equal(errorOf(method).code, 1005);
    assert.equal(method.headers.connection, 'close');
    const latin1 = await get(`/client/v4/accounts/${s.accountId}/access/policies?page=\u00e9`);
    assert.equal(latin1.status, 400);
    assert.equal(errorOf(latin1).code, 1005);
    const long = await get(`/client/v4/accounts/${s.accountId}/access/policies/${'a'.repeat(20_000)}`);
    assert.equal(long.status, 431);
    assert.equal(errorOf(long).code, 1007);
    assert.equal(long.headers.connection, 'close');
    // The next request gets a new connection and a normal answer.
    assert.equal((await get(`/client/v4/accounts/${s.accountId}/access/policies`)).status, 200);
  });

  it("answers under SCIM's paths in SCIM's error shape, the parser's refusals included", async () => {
    const scim = `/scim/v2/${s.accountId}/no-such-provider/Users`;
    const scimErrorOf = (answer: RawAnswer) => {
      assert.match(String(answer.headers['content-type']), /^application\/scim\+json/);
      const json = JSON.parse(answer.body.toString('utf8'));
      assert.deepEqual(json.schemas, ['urn:ietf:params:scim:api:messages:2.0:Error']);
      assert.equal(json.status, String(answer.status));
      return json as { status: string; scimType?: string; detail: string };
    };
    const large = await client.send({ method: 'GET', path: scim, headers: { authorization: 'Bearer x', 'x-padding': 'a'.repeat(20_000) }, body: undefined });
    assert.equal(large.status, 431);
    assert.match(scimErrorOf(large).detail, /header/i);
    assert.equal(large.headers.connection, 'close');
    const malformed = await get(`${scim}?filter=\u00e9`);
    assert.equal(malformed.status, 400);
    assert.equal(scimErrorOf(malformed).scimType, 'invalidSyntax');
    const undecodable = await get(`/scim/v2/${s.accountId}/%ZZ/Users`);
    assert.equal(undecodable.status, 400);
    scimErrorOf(undecodable);
    // The API's paths keep the envelope.
    const apiLarge = await client.send({ method: 'GET', path: `/client/v4/accounts/${s.accountId}/access/policies`, headers: { authorization: `Bearer ${s.rootToken}`, 'x-padding': 'a'.repeat(20_000) }, body: undefined });
    assert.equal(apiLarge.status, 431);
    assert.equal(errorOf(apiLarge).code, 1007);
  });

  it('answers a malformed HEAD request without a body', async () => {
    const answer = await get(`/client/v4/accounts/${s.accountId}/access/policies?page=\u00e9`, 'HEAD');
    assert.equal(answer.status, 400);
    assert.equal(answer.body.length, 0);
    assert.equal((await get(`/client/v4/accounts/${s.accountId}/access/policies`)).status, 200);
  });
});

describe('a request that does not arrive in time', () => {
  it('is answered 408 in the envelope, and its connection closed', async () => {
    const s = await startTestServer({ settings: { requestTimeoutMs: 500 } });
    try {
      const { port } = new URL(s.baseUrl);
      const answer = await new Promise<string>((resolve, reject) => {
        let text = '';
        const socket = net.connect(Number(port), '127.0.0.1', () =>
          // Headers, then only part of the announced body: the client stalls.
          socket.write(`POST /client/v4/accounts/${s.accountId}/access/policies HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer ${s.rootToken}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"name":`),
        );
        socket.on('data', (chunk) => (text += chunk.toString('utf8')));
        socket.on('close', () => resolve(text));
        socket.on('error', reject);
      });
      assert.match(answer, /^HTTP\/1\.1 408 /);
      assert.match(answer, /\r\nconnection: close\r\n/i);
      const json = JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4));
      assert.equal(json.success, false);
      assert.equal(json.errors[0].code, 1008);
      assert.deepEqual(await s.store.read.listResources(s.accountId, 'policy', { offset: 0, limit: 10 }).then((p) => p.total), 0, 'nothing was written');
    } finally {
      await s.close();
    }
  });
});

describe('a client that disconnects in the middle of its body', () => {
  it('is logged at debug level, as a client abort, not as a failure of the server or the database', async () => {
    const { lines: log, stream } = logLines<{ level: number; msg: string; err?: { message?: string; code?: string } }>();
    const s = await startTestServer({ logger: { level: 'debug', stream } });
    try {
      const { port } = new URL(s.baseUrl);
      const socket = net.connect(Number(port), '127.0.0.1');
      socket.on('error', () => undefined);
      const responses: http.ServerResponse[] = [];
      // Disconnect once the server is reading the body: it has the headers and half the body.
      s.app.server.prependListener('request', (request: http.IncomingMessage, response: http.ServerResponse) => {
        responses.push(response);
        request.once('resume', () => setImmediate(() => socket.destroy()));
      });
      await new Promise<void>((resolve) => socket.once('connect', resolve));
      const body = JSON.stringify({ name: 'never arrives', decision: 'allow', include: [{ everyone: {} }] });
      socket.write(
        `POST /client/v4/accounts/${s.accountId}/access/policies HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer ${s.rootToken}\r\n` +
          `Content-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body.slice(0, body.length >> 1)}`,
      );
      const aborted = () => log.find((line) => line.err?.message === 'aborted' || line.err?.code === 'ECONNRESET');
      while (aborted() === undefined) await new Promise((resolve) => setTimeout(resolve, 20));
      await new Promise((resolve) => setImmediate(resolve));
      assert.equal(aborted()!.level, 20, `logged at debug: ${JSON.stringify(aborted())}`);
      assert.deepEqual(log.filter((line) => line.level >= 40), [], 'nothing at warn or error');
      assert.equal(responses.length, 1);
      assert.ok(responses[0].statusCode >= 400 && responses[0].statusCode < 500, `the status set for the answer nobody reads: ${responses[0].statusCode}`);
      assert.equal((await s.store.read.listResources(s.accountId, 'policy', { offset: 0, limit: 10 })).total, 0, 'nothing was written');
    } finally {
      await s.close();
    }
  });
});
