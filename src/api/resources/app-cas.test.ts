// Short-lived SSH certificates (applications.cas): portcullis issues none, so every CA route
// says so in Cloudflare's envelope rather than answering that an application "ca" is missing.
import { it } from 'node:test';
import assert from 'node:assert/strict';
import Cloudflare from 'cloudflare';
import { describeEachDatabase } from '../../../test/support/suite.js';
import { randomAccountId } from '../../../test/support/server.js';

await describeEachDatabase('short-lived certificate CAs', (s) => {
  it('answers each CA route with a clear refusal: short-lived certificates are not part of portcullis', async () => {
    const account_id = randomAccountId();
    const app = await s.api('POST', `/accounts/${account_id}/access/apps`, { type: 'ssh', domain: 'ssh.example.com' });
    assert.equal(app.status, 201, JSON.stringify(app.json));
    const id = app.json.result.id as string;
    const cas = s.cf.zeroTrust.access.applications.cas;
    for (const call of [() => cas.list({ account_id }), () => cas.get(id, { account_id }), () => cas.create(id, { account_id }), () => cas.delete(id, { account_id })]) {
      const err = await call().then(() => undefined, (e: unknown) => e);
      assert.ok(err instanceof Cloudflare.BadRequestError, String(err));
      const errors = (err as { errors: { code: number; message: string }[] }).errors;
      assert.equal(errors[0]!.code, 1012);
      assert.match(errors[0]!.message, /short-lived certificates are not part of portcullis/i);
    }
  });
});
