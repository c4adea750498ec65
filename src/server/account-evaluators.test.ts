// External evaluation on a server of many accounts, against a real endpoint on loopback: each
// account's requests are signed with its own key, while what belongs to the endpoint is shared
// across accounts: one fetch of keys_url per cache period, the pooled connections, and at most
// MAX_CALLS_PER_ENDPOINT calls in flight to one URL. Evaluators were kept for 64 account keys:
// past that they were rebuilt over and over, and even below it each account had its own pool,
// JWKS cache and calls to an endpoint.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as jose from 'jose';
import type { SigningKey, SigningKeys } from '../account/signing-keys.js';
import type { Identity } from '../engine/identity.js';
import type { ExternalEvaluationRule } from '../engine/rules.js';
import { parseRule } from '../engine/validate.js';
import { MAX_CALLS_PER_ENDPOINT } from '../external/endpoint-slots.js';
import type { ExternalEvaluationError } from '../external/evaluator.js';
import { accountEvaluators } from './account-evaluators.js';

/** More accounts than evaluators used to be kept for. */
const ACCOUNTS = 70;
const accountIds = Array.from({ length: ACCOUNTS }, (_, i) => `${i}`.padStart(32, 'a'));
const alice: Identity = { email: 'alice@example.com' };

interface Endpoint {
  readonly origin: string;
  /** The kid of each verified request token, per path. */
  readonly kids: Map<string, string[]>;
  /** GETs of /keys, and connections accepted. */
  readonly counts: { keys: number; connections: number };
  close(): Promise<void>;
}

/**
 * Verifies request tokens against the accounts' published keys, answers /evaluate with success,
 * publishes its own key at /keys, and never answers /evaluate-hung.
 */
async function startEndpoint(accountJwks: jose.JSONWebKeySet): Promise<Endpoint> {
  const { privateKey, publicKey } = await jose.generateKeyPair('ES256');
  const jwk = { ...(await jose.exportJWK(publicKey)), kid: 'endpoint', alg: 'ES256' };
  const verifyWith = jose.createLocalJWKSet(accountJwks);
  const kids = new Map<string, string[]>();
  const counts = { keys: 0, connections: 0 };
  const server = http.createServer(async (req, res) => {
    const path = (req.url ?? '/').split('?')[0]!;
    if (req.method === 'GET' && path === '/keys') {
      counts.keys++;
      return res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [jwk] }));
    }
    let body = '';
    for await (const chunk of req) body += chunk;
    const { payload, protectedHeader } = await jose.jwtVerify((JSON.parse(body) as { token: string }).token, verifyWith);
    kids.set(path, [...(kids.get(path) ?? []), protectedHeader.kid!]);
    if (path === '/evaluate-hung') return; // accepts the request and never answers
    const token = await new jose.SignJWT({ success: true, nonce: payload.nonce }).setProtectedHeader({ alg: 'ES256', kid: 'endpoint' }).setIssuedAt().setExpirationTime('60s').sign(privateKey);
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ token }));
  });
  server.on('connection', () => counts.connections++);
  // Idle connections stay open however slow the test runs: counting them counts reuse.
  server.keepAliveTimeout = 120_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    kids,
    counts,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function ruleOf(evaluateUrl: string, keysUrl: string): ExternalEvaluationRule {
  const parsed = parseRule({ external_evaluation: { evaluate_url: evaluateUrl, keys_url: keysUrl } });
  assert.ok(parsed.ok, JSON.stringify(parsed));
  return parsed.value as ExternalEvaluationRule;
}

describe('external evaluation for many accounts', () => {
  /** Each account's current key: one RSA key under a kid of the account's own (making 70 keys would be slow). */
  const keyOf = new Map<string, SigningKey>();
  const keys: Pick<SigningKeys, 'current'> = { current: async (accountId) => keyOf.get(accountId)! };
  let endpoint: Endpoint;

  before(async () => {
    const { privateKey, publicKey } = await jose.generateKeyPair('RS256');
    const publicJwk = await jose.exportJWK(publicKey);
    for (const id of accountIds) {
      keyOf.set(id, { kid: `kid-${id}`, privateKey, publicJwk: { ...publicJwk, kid: `kid-${id}`, alg: 'RS256' }, certificate: '', bindingSecret: Buffer.alloc(0), createdAt: new Date(0).toISOString() });
    }
    endpoint = await startEndpoint({ keys: [...keyOf.values()].map((key) => key.publicJwk) });
  });
  after(async () => {
    await endpoint?.close();
  });

  test("each account's requests are signed with its key, while keys_url is fetched once for all of them and the connections are reused", async () => {
    const externalFor = accountEvaluators(keys, { allowlist: ['127.0.0.1'], timeoutMs: 5000 });
    const rule = ruleOf(`${endpoint.origin}/evaluate`, `${endpoint.origin}/keys`);
    // Twice round: the first accounts are asked again after all the others.
    for (const round of [1, 2]) {
      for (const id of accountIds) assert.equal(await externalFor(id).evaluate(rule, alice), true, `account ${id}, round ${round}`);
    }
    assert.deepEqual(endpoint.kids.get('/evaluate'), [...accountIds, ...accountIds].map((id) => `kid-${id}`), "each request signed with its account's key");
    assert.equal(endpoint.counts.keys, 1, 'keys_url fetched once within its cache period, for every account');
    // The first call asks /evaluate and /keys at once (two connections); every later one reuses one.
    assert.ok(endpoint.counts.connections <= 2, `${endpoint.counts.connections} connections for ${2 * ACCOUNTS} sequential calls`);
  });

  test('calls in flight to one endpoint URL stay within its limit across accounts', async () => {
    const externalFor = accountEvaluators(keys, { allowlist: ['127.0.0.1'], timeoutMs: 3000 });
    const hungSeen = () => endpoint.kids.get('/evaluate-hung')?.length ?? 0;
    // One call from every account but the last to a URL that never answers.
    const hung = accountIds.slice(0, -1).map((id) =>
      externalFor(id)
        .evaluate(ruleOf(`${endpoint.origin}/evaluate-hung`, `${endpoint.origin}/keys`), alice)
        .then(
          () => 'answered',
          (err: unknown) => (err as ExternalEvaluationError).code,
        ),
    );
    while (hungSeen() < MAX_CALLS_PER_ENDPOINT) await new Promise((resolve) => setTimeout(resolve, 10));
    // A call to another path, started after them all, is answered: those beyond the limit had their turn to be sent by then.
    assert.equal(await externalFor(accountIds.at(-1)!).evaluate(ruleOf(`${endpoint.origin}/evaluate`, `${endpoint.origin}/keys`), alice), true);
    assert.equal(hungSeen(), MAX_CALLS_PER_ENDPOINT, `${hungSeen()} calls reached the hung URL at once, from ${ACCOUNTS - 1} accounts`);
    assert.deepEqual(new Set(await Promise.all(hung)), new Set(['timeout']), 'the hung calls still end at their timeout');
  });
});
