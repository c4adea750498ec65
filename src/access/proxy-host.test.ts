// The host nginx serves a request for must be the host portcullis decides on. nginx picks the
// server block by the request line's host when the request names one (absolute form, `GET
// http://wiki/ HTTP/1.1`), else by Host, and a block that is the default server of its port takes
// every host no other block names; the generated block forwards the Host header
// ($http_host). Without a check, a client could reach the protected application's upstream while
// portcullis decided on another host it chose (one whose policies let it in).
import { createServer, type Server } from 'node:http';
import { connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { proxyUnavailable, startNginx, type RunningProxy } from '../../test/support/proxies.js';
import { requestAs } from '../../test/support/raw-http.js';
import { startTestServer, type TestServer } from '../../test/support/server.js';

const skip = proxyUnavailable('nginx');

/** The status line's code of a request written byte for byte (node:http always adds a Host). */
function rawStatus(port: number, request: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.end(request));
    let answer = '';
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => (answer += chunk));
    socket.on('end', () => resolve(Number(/^HTTP\/1\.1 (\d{3})/.exec(answer)?.[1] ?? 0)));
    socket.on('error', reject);
  });
}

describe('nginx: the host decided on is the host served', { skip }, () => {
  let s: TestServer;
  let proxy: RunningProxy;
  let upstream: Server;
  const reached: string[] = [];

  before(async () => {
    s = await startTestServer({ access: {} });
    const A = `/accounts/${s.accountId}/access`;
    const staff = await s.api('POST', `${A}/policies`, { name: 'Staff', decision: 'allow', include: [{ email_domain: { domain: 'example.com' } }] });
    const everyone = await s.api('POST', `${A}/policies`, { name: 'Anyone', decision: 'bypass', include: [{ everyone: {} }] });
    assert.equal((await s.api('POST', `${A}/apps`, { type: 'self_hosted', name: 'Wiki', domain: 'app.test', policies: [{ id: staff.json.result.id, precedence: 1 }] })).status, 201);
    assert.equal((await s.api('POST', `${A}/apps`, { type: 'self_hosted', name: 'Blog', domain: 'blog.test', policies: [{ id: everyone.json.result.id, precedence: 1 }] })).status, 201);
    // The wiki's upstream, which records what reached it.
    upstream = createServer((req, res) => {
      reached.push(req.url ?? '');
      res.end('wiki secrets');
    });
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
    const address = upstream.address();
    if (address === null || typeof address === 'string') throw new Error('no port');
    proxy = await startNginx({ portcullis: new URL(s.baseUrl).host, upstream: `127.0.0.1:${address.port}` });
  });

  after(async () => {
    await proxy?.stop();
    await new Promise((resolve) => upstream?.close(resolve));
    await s?.close();
  });

  it('the wiki without a session is refused (the sign-in redirect), as a baseline', async () => {
    const before = reached.length;
    const answer = await requestAs(proxy.port, 'GET', '/secret', { host: `app.test:${proxy.port}` });
    assert.equal(answer.status, 302);
    assert.equal(reached.length, before, 'nothing reached the wiki');
  });

  it('a request line naming the wiki with a Host of the open blog does not reach the wiki', async () => {
    const before = reached.length;
    const answer = await requestAs(proxy.port, 'GET', `http://app.test:${proxy.port}/secret`, { host: `blog.test:${proxy.port}` });
    assert.notEqual(answer.status, 200, answer.body);
    assert.equal(reached.length, before, 'nothing reached the wiki');
  });

  it('a Host the block does not serve (the block is the default server of its port) does not reach the wiki', async () => {
    const before = reached.length;
    const answer = await requestAs(proxy.port, 'GET', '/secret', { host: `blog.test:${proxy.port}` });
    assert.notEqual(answer.status, 200, answer.body);
    assert.equal(reached.length, before, 'nothing reached the wiki');
  });

  it('a request line naming the wiki without any Host does not reach it', async () => {
    const before = reached.length;
    const status = await rawStatus(proxy.port, `GET http://app.test:${proxy.port}/secret HTTP/1.1\r\nConnection: close\r\n\r\n`);
    assert.notEqual(status, 200);
    assert.equal(reached.length, before, 'nothing reached the wiki');
  });

  it('the wiki spelled in capitals, with a trailing dot or as the request line names it alike, is still the wiki (refused without a session)', async () => {
    const before = reached.length;
    for (const [path, host] of [
      ['/secret', `APP.Test:${proxy.port}`],
      ['/secret', `app.test.:${proxy.port}`],
      ['/secret', 'app.test'],
      [`http://app.test:${proxy.port}/secret`, `app.test:${proxy.port}`],
    ] as const) {
      const answer = await requestAs(proxy.port, 'GET', path, { host });
      assert.equal(answer.status, 302, `${path} with Host ${host}: ${answer.body}`);
      assert.match(String(answer.headers.location), /\/cdn-cgi\/access\/login\/app\.test/i, `${path} with Host ${host}`);
    }
    assert.equal(reached.length, before, 'nothing reached the wiki');
  });
});
