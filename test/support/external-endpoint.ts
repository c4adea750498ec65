// A local external evaluation endpoint for tests of the server: it verifies portcullis's
// request token against portcullis's public keys, says yes to identities whose email ends
// with `allowedSuffix`, and signs its answer with its own key, published at /keys.

import http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as jose from 'jose';

export interface EvaluationEndpoint {
  readonly evaluateUrl: string;
  readonly keysUrl: string;
  /** How many evaluations it answered. */
  readonly answered: () => number;
  close(): Promise<void>;
}

export async function startEvaluationEndpoint(portcullisKeys: () => Promise<jose.JSONWebKeySet>, allowedSuffix: string): Promise<EvaluationEndpoint> {
  const { privateKey, publicKey } = await jose.generateKeyPair('ES256', { extractable: true });
  const jwk = { ...(await jose.exportJWK(publicKey)), kid: 'test-endpoint', alg: 'ES256', use: 'sig' };
  let answered = 0;
  const server = http.createServer((req, res) => {
    const reply = (status: number, body: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    if (req.method === 'GET') return reply(200, { keys: [jwk] });
    let data = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (data += chunk));
    req.on('end', async () => {
      try {
        const { token } = JSON.parse(data) as { token: string };
        const { payload } = await jose.jwtVerify(token, jose.createLocalJWKSet(await portcullisKeys()));
        const email = (payload.identity as { email?: string } | undefined)?.email ?? '';
        answered++;
        const answer = await new jose.SignJWT({ success: email.endsWith(allowedSuffix), nonce: payload.nonce })
          .setProtectedHeader({ alg: 'ES256', kid: jwk.kid })
          .setIssuedAt()
          .setExpirationTime('60s')
          .sign(privateKey);
        reply(200, { token: answer });
      } catch (err) {
        reply(403, { error: (err as Error).message });
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    evaluateUrl: `${origin}/evaluate`,
    keysUrl: `${origin}/keys`,
    answered: () => answered,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
