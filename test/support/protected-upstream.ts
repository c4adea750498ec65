// The application behind the proxy in the enforcement tests: it trusts nothing but a valid
// Cf-Access-Jwt-Assertion, verified as Cloudflare tells application owners to (jose's remote
// JWK set at /cdn-cgi/access/certs, the application's AUD tag, the auth domain as issuer), and
// answers with the email (or the service token's client id) it carries.

import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { createRemoteJWKSet, jwtVerify } from 'jose';

export interface Upstream {
  readonly port: number;
  /** Requests that reached it, with what the token said. */
  readonly seen: { path: string; email: string | undefined; commonName: string | undefined; headers: IncomingHttpHeaders }[];
  stop(): Promise<void>;
}

export async function startUpstream(authDomain: string, aud: () => string): Promise<Upstream> {
  const jwks = createRemoteJWKSet(new URL(`${authDomain}/cdn-cgi/access/certs`), { cooldownDuration: 0 });
  const seen: Upstream['seen'] = [];
  const server: Server = createServer(async (req, res) => {
    const token = req.headers['cf-access-jwt-assertion'];
    if (req.url?.startsWith('/public')) {
      res.end(`public page${typeof token === 'string' && token !== '' ? ` (with a token: ${JSON.stringify(token).slice(0, 80)})` : ''}`);
      return;
    }
    if (typeof token !== 'string' || token === '') {
      res.statusCode = 403;
      res.end('no Access token');
      return;
    }
    try {
      const { payload } = await jwtVerify(token, jwks, { audience: aud(), issuer: authDomain, algorithms: ['RS256'] });
      const email = typeof payload.email === 'string' ? payload.email : undefined;
      const commonName = typeof payload.common_name === 'string' ? payload.common_name : undefined;
      seen.push({ path: req.url ?? '', email, commonName, headers: req.headers });
      res.setHeader('content-type', 'text/html');
      res.end(`<h1 id="hello">hello ${email ?? commonName}</h1>`);
    } catch (err) {
      res.statusCode = 403;
      res.end(`invalid Access token: ${(err as Error).message}`);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return { port: address.port, seen, stop: () => new Promise((resolve) => server.close(() => resolve())) };
}
