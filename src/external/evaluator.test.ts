import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as jose from 'jose';
import { compilePolicySet } from '../engine/compile.js';
import { gatherExternalAnswers } from '../engine/external.js';
import { prepareIdentity, type Identity } from '../engine/identity.js';
import { explain } from '../engine/interpreter.js';
import { resultAccess } from '../engine/outcome.js';
import type { ExternalEvaluationRule, Policy } from '../engine/rules.js';
import { parsePolicy, parseRule } from '../engine/validate.js';
import { MAX_CALLS_PER_ENDPOINT, MAX_SOCKETS_PER_HOST } from './endpoint-slots.js';
import { createExternalEvaluator, ExternalEvaluationError, JWKS_REFETCH_COOLDOWN_MS, type ExternalEvaluationErrorCode, type PortcullisExternalEvaluator } from './evaluator.js';

// ---------------------------------------------------------------------------------------------
// A local external evaluation endpoint, in the shape of Cloudflare's example Worker: it verifies
// portcullis's token against portcullis's public JWKS, decides on the identity's email, and
// answers with a token signed by its own key, published at /keys.

interface SeenRequest {
  readonly method: string;
  readonly path: string;
  /** Verified claims of the incoming token (evaluate paths), or the verification error. */
  readonly claims?: jose.JWTPayload;
  readonly verifyError?: string;
}

interface Endpoint {
  readonly origin: string;
  readonly requests: SeenRequest[];
  /** Replace the endpoint's signing key (key rotation); /keys publishes the new one. */
  rotate(): Promise<void>;
  /** Make /keys answer 503 (down) or the keys again (up). */
  setKeysUp(up: boolean): void;
  close(): Promise<void>;
}

interface TestKey {
  readonly privateKey: jose.CryptoKey;
  readonly jwk: jose.JWK;
}

async function makeKey(kid: string): Promise<TestKey> {
  const { privateKey, publicKey } = await jose.generateKeyPair('ES256', { extractable: true });
  return { privateKey, jwk: { ...(await jose.exportJWK(publicKey)), kid, alg: 'ES256', use: 'sig' } };
}

const ALLOWED_DOMAIN = '@allowed.example';

async function startEndpoint(portcullisJwks: () => Promise<jose.JSONWebKeySet>): Promise<Endpoint> {
  let key = await makeKey('endpoint-1');
  let generation = 1;
  let keysUp = true;
  const rogueSameKid = await makeKey('endpoint-1');
  const rogueOtherKid = await makeKey('rogue');
  const requests: SeenRequest[] = [];
  const timers = new Set<NodeJS.Timeout>();

  const sign = (payload: jose.JWTPayload, signer: TestKey = key, exp: number | string = '60s') =>
    new jose.SignJWT(payload).setProtectedHeader({ alg: 'ES256', kid: signer.jwk.kid }).setIssuedAt().setExpirationTime(exp).sign(signer.privateKey);

  const readBody = (req: http.IncomingMessage) =>
    new Promise<string>((resolve, reject) => {
      let data = '';
      req.setEncoding('utf8');
      req.on('data', (c: string) => (data += c));
      req.on('end', () => resolve(data));
      req.on('error', reject);
    });

  const json = (res: http.ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  };

  const later = (ms: number, fn: () => void) => {
    const t = setTimeout(() => {
      timers.delete(t);
      fn();
    }, ms);
    timers.add(t);
  };

  const server = http.createServer(async (req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    try {
      if (req.method === 'GET') {
        requests.push({ method: 'GET', path });
        if (path === '/keys') return keysUp ? json(res, 200, { keys: [key.jwk] }) : json(res, 503, {});
        if (path === '/keys-slow') return later(3000, () => json(res, 200, { keys: [key.jwk] }));
        if (path === '/keys-not-json') return res.end('<html>nope</html>');
        if (path === '/keys-not-jwks') return json(res, 200, { hello: 'world' });
        if (path === '/keys-500') return json(res, 500, {});
        return json(res, 404, {});
      }
      const body = await readBody(req);
      let claims: jose.JWTPayload | undefined;
      let verifyError: string | undefined;
      try {
        const token = (JSON.parse(body) as { token: string }).token;
        ({ payload: claims } = await jose.jwtVerify(token, jose.createLocalJWKSet(await portcullisJwks()), {
          issuer: 'portcullis',
          audience: 'portcullis',
        }));
      } catch (err) {
        verifyError = (err as Error).message;
      }
      requests.push({ method: req.method ?? '', path, ...(claims ? { claims } : {}), ...(verifyError ? { verifyError } : {}) });
      if (claims === undefined) return json(res, 403, { success: false, error: verifyError });
      const identity = claims.identity as Identity;
      const success = typeof identity?.email === 'string' && identity.email.endsWith(ALLOWED_DOMAIN);
      const nonce = claims.nonce;
      switch (path) {
        case '/evaluate':
          return json(res, 200, { token: await sign({ success, nonce, generation }) });
        case '/evaluate-wrong-key':
          return json(res, 200, { token: await sign({ success: true, nonce }, rogueSameKid) });
        case '/evaluate-unknown-kid':
          return json(res, 200, { token: await sign({ success: true, nonce }, rogueOtherKid) });
        case '/evaluate-wrong-nonce':
          return json(res, 200, { token: await sign({ success: true, nonce: 'not-the-nonce' }) });
        case '/evaluate-no-nonce':
          return json(res, 200, { token: await sign({ success: true }) });
        case '/evaluate-expired':
          return json(res, 200, { token: await sign({ success: true, nonce }, key, Math.floor(Date.now() / 1000) - 120) });
        case '/evaluate-no-success':
          return json(res, 200, { token: await sign({ nonce }) });
        case '/evaluate-string-success':
          return json(res, 200, { token: await sign({ success: 'true', nonce }) });
        case '/evaluate-unsigned':
          return json(res, 200, { token: new jose.UnsecuredJWT({ success: true, nonce }).setIssuedAt().setExpirationTime('60s').encode() });
        case '/evaluate-hs256': {
          const secret = new TextEncoder().encode('a-shared-secret-that-is-long-enough!!');
          return json(res, 200, {
            token: await new jose.SignJWT({ success: true, nonce }).setProtectedHeader({ alg: 'HS256', kid: 'endpoint-1' }).sign(secret),
          });
        }
        case '/evaluate-not-json':
          return res.end('I am not JSON');
        case '/evaluate-no-token':
          return json(res, 200, { success: true });
        case '/evaluate-500':
          return json(res, 500, { error: 'boom' });
        case '/evaluate-403':
          return json(res, 403, { success: false });
        case '/evaluate-redirect':
          res.writeHead(302, { location: '/evaluate' }).end();
          return;
        case '/evaluate-huge':
          return json(res, 200, { token: await sign({ success: true, nonce }), padding: 'x'.repeat(100 * 1024) });
        case '/evaluate-hung':
          return; // accepts the request and never answers
        case '/evaluate-slow': {
          const token = await sign({ success: true, nonce });
          return later(3000, () => json(res, 200, { token }));
        }
        default:
          return json(res, 404, {});
      }
    } catch (err) {
      if (!res.headersSent) json(res, 500, { error: String(err) });
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    requests,
    async rotate() {
      key = await makeKey(`endpoint-${++generation}`);
    },
    setKeysUp(up: boolean) {
      keysUp = up;
    },
    async close() {
      for (const t of timers) clearTimeout(t);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function ruleOf(evaluateUrl: string, keysUrl: string): ExternalEvaluationRule {
  const parsed = parseRule({ external_evaluation: { evaluate_url: evaluateUrl, keys_url: keysUrl } });
  assert.ok(parsed.ok, JSON.stringify(parsed));
  assert.equal(parsed.value.kind, 'external_evaluation');
  return parsed.value as ExternalEvaluationRule;
}

const alice: Identity = { email: 'alice@allowed.example', name: 'Alice', groups: [{ name: 'eng' }] };
const mallory: Identity = { email: 'mallory@denied.example' };

async function rejectsWith(promise: Promise<unknown>, code: ExternalEvaluationErrorCode): Promise<ExternalEvaluationError> {
  let caught: unknown;
  await assert.rejects(promise, (e: unknown) => {
    caught = e;
    return true;
  });
  assert.ok(caught instanceof ExternalEvaluationError, `expected ExternalEvaluationError, got ${String(caught)}`);
  assert.equal(caught.code, code, caught.message);
  return caught;
}

// ---------------------------------------------------------------------------------------------

describe('external evaluator against a local endpoint', () => {
  let evaluator: PortcullisExternalEvaluator;
  let endpoint: Endpoint;
  const rule = (path: string, keys = '/keys') => ruleOf(`${endpoint.origin}${path}`, `${endpoint.origin}${keys}`);
  const since = (n: number) => endpoint.requests.slice(n);

  before(async () => {
    evaluator = createExternalEvaluator({ allowlist: ['127.0.0.1'], timeoutMs: 2000, jwksCacheMs: 0 });
    endpoint = await startEndpoint(() => evaluator.publicJwks());
  });
  after(async () => {
    evaluator.close();
    await endpoint.close();
  });

  test('publicJwks publishes one ES256 verification key without private members', async () => {
    const jwks = await evaluator.publicJwks();
    assert.equal(jwks.keys.length, 1);
    const [key] = jwks.keys;
    assert.equal(key.kty, 'EC');
    assert.equal(key.crv, 'P-256');
    assert.equal(key.alg, 'ES256');
    assert.equal(key.use, 'sig');
    assert.equal(typeof key.kid, 'string');
    assert.equal(key.d, undefined);
    assert.deepEqual(await evaluator.publicJwks(), jwks, 'the key is generated once');
  });

  test('allow: the endpoint answers success true', async () => {
    assert.equal(await evaluator.evaluate(rule('/evaluate'), alice), true);
  });

  test('deny: the endpoint answers success false', async () => {
    assert.equal(await evaluator.evaluate(rule('/evaluate'), mallory), false);
  });

  test('the request token carries identity, nonce, iss, aud and a short exp, and the endpoint verified it', async () => {
    const n = endpoint.requests.length;
    await evaluator.evaluate(rule('/evaluate'), alice);
    const posts = since(n).filter((r) => r.method === 'POST');
    assert.equal(posts.length, 1);
    const { claims, verifyError } = posts[0];
    assert.equal(verifyError, undefined);
    assert.ok(claims);
    assert.deepEqual(claims.identity, alice);
    assert.equal(claims.iss, 'portcullis');
    assert.equal(claims.aud, 'portcullis');
    assert.equal(typeof claims.nonce, 'string');
    assert.ok((claims.nonce as string).length >= 32);
    assert.ok(typeof claims.iat === 'number' && typeof claims.exp === 'number');
    assert.ok(claims.exp - claims.iat > 0 && claims.exp - claims.iat <= 60);
  });

  test('every request has a fresh nonce', async () => {
    const n = endpoint.requests.length;
    await evaluator.evaluate(rule('/evaluate'), alice);
    await evaluator.evaluate(rule('/evaluate'), alice);
    const nonces = since(n).filter((r) => r.method === 'POST').map((r) => r.claims?.nonce);
    assert.equal(nonces.length, 2);
    assert.notEqual(nonces[0], nonces[1]);
  });

  test('an answer signed by another key with the published kid rejects', async () => {
    await rejectsWith(evaluator.evaluate(rule('/evaluate-wrong-key'), alice), 'bad_signature');
  });

  test('an answer signed by a key that keys_url does not publish rejects', async () => {
    await rejectsWith(evaluator.evaluate(rule('/evaluate-unknown-kid'), alice), 'bad_signature');
  });

  test('an unsigned (alg none) answer rejects', async () => {
    await rejectsWith(evaluator.evaluate(rule('/evaluate-unsigned'), alice), 'bad_token');
  });

  test('an HMAC-signed answer rejects', async () => {
    const err = await rejectsWith(evaluator.evaluate(rule('/evaluate-hs256'), alice), 'bad_token');
    assert.match(err.message, /alg/i);
  });

  test('a wrong nonce rejects', async () => {
    await rejectsWith(evaluator.evaluate(rule('/evaluate-wrong-nonce'), alice), 'nonce_mismatch');
  });

  test('a missing nonce rejects', async () => {
    await rejectsWith(evaluator.evaluate(rule('/evaluate-no-nonce'), alice), 'nonce_mismatch');
  });

  test('an expired answer rejects', async () => {
    await rejectsWith(evaluator.evaluate(rule('/evaluate-expired'), alice), 'expired');
  });

  test('an answer without a boolean success rejects', async () => {
    await rejectsWith(evaluator.evaluate(rule('/evaluate-no-success'), alice), 'missing_success');
    await rejectsWith(evaluator.evaluate(rule('/evaluate-string-success'), alice), 'missing_success');
  });

  test('a body that is not JSON, or has no token, rejects', async () => {
    await rejectsWith(evaluator.evaluate(rule('/evaluate-not-json'), alice), 'bad_response');
    await rejectsWith(evaluator.evaluate(rule('/evaluate-no-token'), alice), 'bad_response');
  });

  test('non-2xx answers reject', async () => {
    const err = await rejectsWith(evaluator.evaluate(rule('/evaluate-500'), alice), 'http_status');
    assert.match(err.message, /500/);
    await rejectsWith(evaluator.evaluate(rule('/evaluate-403'), alice), 'http_status');
  });

  test('a 3xx redirect rejects and is not followed', async () => {
    const n = endpoint.requests.length;
    const err = await rejectsWith(evaluator.evaluate(rule('/evaluate-redirect'), alice), 'http_status');
    assert.match(err.message, /302.*redirects are not followed/);
    assert.deepEqual(
      since(n).filter((r) => r.method === 'POST').map((r) => r.path),
      ['/evaluate-redirect'],
    );
  });

  test('an answer larger than maxResponseBytes rejects', async () => {
    await rejectsWith(evaluator.evaluate(rule('/evaluate-huge'), alice), 'too_large');
  });

  test('keys_url failures reject', async () => {
    await rejectsWith(evaluator.evaluate(rule('/evaluate', '/keys-not-json'), alice), 'bad_jwks');
    await rejectsWith(evaluator.evaluate(rule('/evaluate', '/keys-not-jwks'), alice), 'bad_jwks');
    await rejectsWith(evaluator.evaluate(rule('/evaluate', '/keys-500'), alice), 'http_status');
  });

  test('a slow endpoint rejects at about timeoutMs', async () => {
    const fast = createExternalEvaluator({ allowlist: ['127.0.0.1'], timeoutMs: 300, signingKey: undefined });
    const ep = await startEndpoint(() => fast.publicJwks());
    try {
      const started = Date.now();
      const err = await rejectsWith(fast.evaluate(ruleOf(`${ep.origin}/evaluate-slow`, `${ep.origin}/keys`), alice), 'timeout');
      const elapsed = Date.now() - started;
      assert.ok(elapsed >= 250 && elapsed < 1500, `took ${elapsed} ms`);
      assert.match(err.message, /300 ms/);
    } finally {
      fast.close();
      await ep.close();
    }
  });

  test('the timeout covers the JWKS fetch too', async () => {
    const fast = createExternalEvaluator({ allowlist: ['127.0.0.1'], timeoutMs: 300 });
    const ep = await startEndpoint(() => fast.publicJwks());
    try {
      const started = Date.now();
      await rejectsWith(fast.evaluate(ruleOf(`${ep.origin}/evaluate`, `${ep.origin}/keys-slow`), alice), 'timeout');
      assert.ok(Date.now() - started < 1500);
    } finally {
      fast.close();
      await ep.close();
    }
  });
});

describe('external evaluator: outbound guard', () => {
  let endpoint: Endpoint;
  let guarded: PortcullisExternalEvaluator;

  before(async () => {
    guarded = createExternalEvaluator({ timeoutMs: 2000 }); // no allowlist
    endpoint = await startEndpoint(() => guarded.publicJwks());
  });
  after(async () => {
    guarded.close();
    await endpoint.close();
  });

  test('a loopback IP without allowlist rejects before any request reaches the server', async () => {
    const err = await rejectsWith(guarded.evaluate(ruleOf(`${endpoint.origin}/evaluate`, `${endpoint.origin}/keys`), alice), 'blocked');
    assert.match(err.message, /127\.0\.0\.1/);
    assert.equal(endpoint.requests.length, 0);
  });

  test('localhost (resolving to loopback) without allowlist rejects before any request', async () => {
    const port = new URL(endpoint.origin).port;
    await rejectsWith(guarded.evaluate(ruleOf(`http://localhost:${port}/evaluate`, `http://localhost:${port}/keys`), alice), 'blocked');
    assert.equal(endpoint.requests.length, 0);
  });

  test('keys_url is guarded too: an allowed evaluate_url with a private keys_url rejects', async () => {
    // eval.test is allowlisted (and resolves to the local endpoint); keys.test resolves to a
    // private address that is not.
    const ev = createExternalEvaluator({
      timeoutMs: 2000,
      allowlist: ['eval.test'],
      resolver: async (host) => [{ address: host === 'keys.test' ? '10.0.0.7' : '127.0.0.1', family: 4 }],
    });
    const ep = await startEndpoint(() => ev.publicJwks());
    try {
      const port = new URL(ep.origin).port;
      const err = await rejectsWith(ev.evaluate(ruleOf(`http://eval.test:${port}/evaluate`, `http://keys.test:${port}/keys`), alice), 'blocked');
      assert.match(err.message, /10\.0\.0\.7/);
      assert.equal(ep.requests.filter((q) => q.method === 'GET').length, 0);
    } finally {
      ev.close();
      await ep.close();
    }
  });

  test('a host name resolving to any non-public address rejects without connecting', async () => {
    let resolved = 0;
    const ev = createExternalEvaluator({
      timeoutMs: 2000,
      resolver: async () => {
        resolved++;
        return [
          { address: '93.184.215.14', family: 4 },
          { address: '169.254.169.254', family: 4 },
        ];
      },
    });
    try {
      const err = await rejectsWith(ev.evaluate(ruleOf('https://eval.test/evaluate', 'https://eval.test/keys'), alice), 'blocked');
      assert.match(err.message, /169\.254\.169\.254/);
      assert.ok(resolved >= 1);
    } finally {
      ev.close();
    }
  });

  test('an allowlisted host name reaches the endpoint through the pinned address', async () => {
    const ev = createExternalEvaluator({
      timeoutMs: 2000,
      allowlist: ['eval.test'],
      resolver: async () => [{ address: '127.0.0.1', family: 4 }],
    });
    const ep = await startEndpoint(() => ev.publicJwks());
    try {
      const port = new URL(ep.origin).port;
      assert.equal(await ev.evaluate(ruleOf(`http://eval.test:${port}/evaluate`, `http://eval.test:${port}/keys`), alice), true);
    } finally {
      ev.close();
      await ep.close();
    }
  });
});

describe('external evaluator: JWKS cache', () => {
  test('keys_url is fetched once per cache period, and refetched when the endpoint rotates its key', async () => {
    let clock = Date.now();
    const ev = createExternalEvaluator({ allowlist: ['127.0.0.1'], timeoutMs: 2000, jwksCacheMs: 60 * 60_000, now: () => clock });
    const ep = await startEndpoint(() => ev.publicJwks());
    try {
      const r = ruleOf(`${ep.origin}/evaluate`, `${ep.origin}/keys`);
      const keyFetches = () => ep.requests.filter((q) => q.path === '/keys').length;
      assert.equal(await ev.evaluate(r, alice), true);
      assert.equal(await ev.evaluate(r, mallory), false);
      assert.equal(await ev.evaluate(r, alice), true);
      assert.equal(keyFetches(), 1);
      await ep.rotate();
      clock += JWKS_REFETCH_COOLDOWN_MS;
      assert.equal(await ev.evaluate(r, alice), true, 'the stale JWKS is refreshed once');
      assert.equal(keyFetches(), 2);
      assert.equal(await ev.evaluate(r, alice), true);
      assert.equal(keyFetches(), 2);
    } finally {
      ev.close();
      await ep.close();
    }
  });

  test('answers signed by a key keys_url does not publish are refused, and fetch keys_url again at most once per cooldown', async () => {
    let clock = Date.now();
    const ev = createExternalEvaluator({ allowlist: ['127.0.0.1'], timeoutMs: 2000, jwksCacheMs: 60 * 60_000, now: () => clock });
    const ep = await startEndpoint(() => ev.publicJwks());
    try {
      const keyFetches = () => ep.requests.filter((q) => q.path === '/keys').length;
      const good = ruleOf(`${ep.origin}/evaluate`, `${ep.origin}/keys`);
      assert.equal(await ev.evaluate(good, alice), true);
      assert.equal(keyFetches(), 1);
      // One forged answer after the cooldown: one more fetch (the endpoint might have rotated), still refused.
      clock += JWKS_REFETCH_COOLDOWN_MS;
      for (const path of ['/evaluate-unknown-kid', '/evaluate-wrong-key']) {
        await rejectsWith(ev.evaluate(ruleOf(`${ep.origin}${path}`, `${ep.origin}/keys`), alice), 'bad_signature');
      }
      assert.equal(keyFetches(), 2);
      // A flood of them, one after another and at once, within the cooldown: no fetch, every one refused.
      for (let i = 0; i < 5; i++) await rejectsWith(ev.evaluate(ruleOf(`${ep.origin}/evaluate-unknown-kid`, `${ep.origin}/keys`), alice), 'bad_signature');
      await Promise.all(Array.from({ length: 5 }, () => rejectsWith(ev.evaluate(ruleOf(`${ep.origin}/evaluate-wrong-key`, `${ep.origin}/keys`), alice), 'bad_signature')));
      assert.equal(keyFetches(), 2);
      assert.equal(await ev.evaluate(good, alice), true, 'genuine answers still verify');
      // After the cooldown, concurrent forged answers share one fetch.
      clock += JWKS_REFETCH_COOLDOWN_MS;
      await Promise.all(Array.from({ length: 5 }, () => rejectsWith(ev.evaluate(ruleOf(`${ep.origin}/evaluate-unknown-kid`, `${ep.origin}/keys`), alice), 'bad_signature')));
      assert.equal(keyFetches(), 3);
    } finally {
      ev.close();
      await ep.close();
    }
  });

  test('a keys_url that failed is not fetched again within the cooldown: evaluations fail at once, without asking the endpoint', async () => {
    let clock = Date.now();
    const ev = createExternalEvaluator({ allowlist: ['127.0.0.1'], timeoutMs: 2000, jwksCacheMs: 60 * 60_000, now: () => clock });
    const ep = await startEndpoint(() => ev.publicJwks());
    try {
      const keyFetches = () => ep.requests.filter((q) => q.path === '/keys').length;
      ep.setKeysUp(false);
      const first = await rejectsWith(ev.evaluate(ruleOf(`${ep.origin}/evaluate`, `${ep.origin}/keys`), alice), 'http_status');
      assert.equal(first.status, 503);
      assert.equal(keyFetches(), 1);
      // Within the cooldown, one after another and at once: the same failure, no fetch, and the
      // evaluate_url is not asked (its answer could not be verified).
      clock += JWKS_REFETCH_COOLDOWN_MS - 1;
      const withinCooldown = ruleOf(`${ep.origin}/evaluate-within-cooldown`, `${ep.origin}/keys`);
      const refused = [await rejectsWith(ev.evaluate(withinCooldown, alice), 'http_status')];
      refused.push(...(await Promise.all(Array.from({ length: 3 }, () => rejectsWith(ev.evaluate(withinCooldown, alice), 'http_status')))));
      for (const err of refused) {
        assert.equal(err.status, 503);
        assert.match(err.message, /\/keys answered HTTP 503\. \(the last fetch of these keys; the next is not made until 30 s after it began\)$/);
      }
      assert.equal(keyFetches(), 1);
      assert.equal(ep.requests.filter((q) => q.path === '/evaluate-within-cooldown').length, 0);
      // After the cooldown it is fetched again, and once it answers the evaluations do too.
      ep.setKeysUp(true);
      clock += 1;
      assert.equal(await ev.evaluate(ruleOf(`${ep.origin}/evaluate`, `${ep.origin}/keys`), alice), true);
      assert.equal(keyFetches(), 2);
    } finally {
      ev.close();
      await ep.close();
    }
  });

  test('concurrent evaluations with nothing cached share one fetch of keys_url', async () => {
    const ev = createExternalEvaluator({ allowlist: ['127.0.0.1'], timeoutMs: 2000, jwksCacheMs: 60_000 });
    const ep = await startEndpoint(() => ev.publicJwks());
    try {
      const r = ruleOf(`${ep.origin}/evaluate`, `${ep.origin}/keys`);
      assert.deepEqual(await Promise.all([ev.evaluate(r, alice), ev.evaluate(r, mallory), ev.evaluate(r, alice)]), [true, false, true]);
      assert.equal(ep.requests.filter((q) => q.path === '/keys').length, 1);
    } finally {
      ev.close();
      await ep.close();
    }
  });

  test('with jwksCacheMs 0 every evaluation fetches the keys', async () => {
    const ev = createExternalEvaluator({ allowlist: ['127.0.0.1'], timeoutMs: 2000, jwksCacheMs: 0 });
    const ep = await startEndpoint(() => ev.publicJwks());
    try {
      const r = ruleOf(`${ep.origin}/evaluate`, `${ep.origin}/keys`);
      await ev.evaluate(r, alice);
      await ev.evaluate(r, alice);
      assert.equal(ep.requests.filter((q) => q.path === '/keys').length, 2);
    } finally {
      ev.close();
      await ep.close();
    }
  });
});

describe('external evaluator: an endpoint that never answers', () => {
  test('holds only a few of its host\'s sockets: another path on the same host:port is still answered', async () => {
    const ev = createExternalEvaluator({ allowlist: ['127.0.0.1'], timeoutMs: 3000, jwksCacheMs: 60_000 });
    const ep = await startEndpoint(() => ev.publicJwks());
    try {
      const hungSeen = () => ep.requests.filter((q) => q.path === '/evaluate-hung').length;
      // More calls to the hung path than the pool has sockets for its host.
      const hung = Array.from({ length: MAX_SOCKETS_PER_HOST + 8 }, () =>
        ev.evaluate(ruleOf(`${ep.origin}/evaluate-hung?n=1`, `${ep.origin}/keys`), alice).then(
          () => 'answered',
          (err: unknown) => (err as ExternalEvaluationError).code,
        ),
      );
      while (hungSeen() < MAX_CALLS_PER_ENDPOINT) await new Promise((resolve) => setTimeout(resolve, 10));
      assert.equal(await ev.evaluate(ruleOf(`${ep.origin}/evaluate`, `${ep.origin}/keys`), alice), true);
      assert.equal(await ev.evaluate(ruleOf(`${ep.origin}/evaluate`, `${ep.origin}/keys`), mallory), false);
      assert.ok(hungSeen() <= MAX_CALLS_PER_ENDPOINT, `${hungSeen()} calls reached the hung path at once`);
      assert.deepEqual(new Set(await Promise.all(hung)), new Set(['timeout']), 'the hung calls still end at their timeout');
    } finally {
      ev.close();
      await ep.close();
    }
  });
});

describe('external evaluator: configured signing key', () => {
  test('signs with the given key and kid, and publishes its public half', async () => {
    const { privateKey } = await jose.generateKeyPair('RS256', { extractable: true });
    const ev = createExternalEvaluator({ allowlist: ['127.0.0.1'], timeoutMs: 2000, signingKey: { key: privateKey, kid: 'ops-2026' } });
    const ep = await startEndpoint(() => ev.publicJwks());
    try {
      const jwks = await ev.publicJwks();
      assert.equal(jwks.keys.length, 1);
      assert.equal(jwks.keys[0].kid, 'ops-2026');
      assert.equal(jwks.keys[0].kty, 'RSA');
      assert.equal(jwks.keys[0].alg, 'RS256');
      assert.equal(jwks.keys[0].d, undefined);
      assert.equal(await ev.evaluate(ruleOf(`${ep.origin}/evaluate`, `${ep.origin}/keys`), alice), true);
      assert.equal(ep.requests.find((q) => q.method === 'POST')?.verifyError, undefined);
    } finally {
      ev.close();
      await ep.close();
    }
  });

  test('invalid options are refused at creation', () => {
    assert.throws(() => createExternalEvaluator({ timeoutMs: 0 }), RangeError);
    assert.throws(() => createExternalEvaluator({ maxResponseBytes: -1 }), RangeError);
    assert.throws(() => createExternalEvaluator({ allowlist: ['not a host'] }), TypeError);
  });
});

describe('external evaluator wired through the engine', () => {
  let evaluator: PortcullisExternalEvaluator;
  let endpoint: Endpoint;

  before(async () => {
    evaluator = createExternalEvaluator({ allowlist: ['127.0.0.1'], timeoutMs: 2000 });
    endpoint = await startEndpoint(() => evaluator.publicJwks());
  });
  after(async () => {
    evaluator.close();
    await endpoint.close();
  });

  function policyFor(path: string): Policy {
    const parsed = parsePolicy({
      name: 'external',
      decision: 'allow',
      include: [{ external_evaluation: { evaluate_url: `${endpoint.origin}${path}`, keys_url: `${endpoint.origin}/keys` } }],
    });
    assert.ok(parsed.ok, JSON.stringify(parsed));
    return parsed.value;
  }

  // Then what the rule's reason says (a failure says why, with the evaluator's code), and the
  // failure's code for the access log (no URL, no message).
  const cases: [string, string, Identity, 'matched' | 'not_matched' | 'unknown', 'granted' | 'blocked' | 'unknown', RegExp, string | undefined][] = [
    ['allow', '/evaluate', alice, 'matched', 'granted', /allowed the user/, undefined],
    ['deny', '/evaluate', mallory, 'not_matched', 'blocked', /denied the user/, undefined],
    ['failure (bad nonce)', '/evaluate-wrong-nonce', alice, 'unknown', 'unknown', /^No valid answer from \S+ \(nonce_mismatch: .*does not echo the request's nonce\)\.$/, 'nonce_mismatch'],
    ['failure (HTTP 500)', '/evaluate-500', alice, 'unknown', 'unknown', /^No valid answer from \S+ \(http_status: .*answered HTTP 500\)\.$/, 'http_status 500'],
    ['failure (forged answer)', '/evaluate-unknown-kid', alice, 'unknown', 'unknown', /^No valid answer from \S+ \(bad_signature: /, 'bad_signature'],
  ];
  for (const [label, path, identity, outcome, access, reason, failureCode] of cases) {
    test(`${label}: rule ${outcome}, access ${access}`, async () => {
      const policies = [policyFor(path)];
      const compiled = compilePolicySet(policies);
      assert.equal(compiled.externalRules.length, 1);
      const answers = await gatherExternalAnswers(compiled.externalRules, identity, evaluator);
      const prepared = prepareIdentity(identity);
      const explanation = explain(policies, prepared, {}, { external: answers });
      assert.equal(explanation.policies[0].include[0].outcome, outcome);
      assert.match(explanation.policies[0].include[0].reason.message, reason);
      assert.equal(explanation.access, access);
      assert.equal(resultAccess(compiled.evaluate(prepared, answers)), access);
      assert.equal(answers.failureCode?.(compiled.externalRules[0]!), failureCode);
    });
  }

  test('a rule whose endpoint was not asked says so', () => {
    const policies = [policyFor('/evaluate')];
    const explanation = explain(policies, prepareIdentity(alice));
    assert.equal(explanation.access, 'unknown');
    assert.match(explanation.policies[0].include[0].reason.message, /^No valid answer from \S+: it was not asked here\.$/);
  });
});
