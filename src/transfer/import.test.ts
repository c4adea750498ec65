// importSnapshot against a real server when the users stop part way: the failure says which
// objects and how many users were written, whether the target failed or the users' source did
// (a sync reads them from the other server as it goes).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomAccountId, startTestServer, type TestServer } from '../../test/support/server.js';
import { AccountApi } from './account-api.js';
import { importSnapshot } from './import.js';
import { RemoteError } from './remote-error.js';
import { sourceObject, type Snapshot, type TransferUser, type UserSource } from './snapshot.js';

let server: TestServer;
before(async () => {
  server = await startTestServer();
});
after(async () => {
  await server.close();
});

const locate = (pointer: string, code: string, message: string) => ({ file: 'test', pointer, code, message });

/** Three users, then the source fails as an unreachable server does. */
const failingSource: UserSource = {
  total: 5,
  async *users(): AsyncGenerator<TransferUser> {
    for (let i = 0; i < 3; i++) yield { email: `u${i}@example.com` };
    throw new RemoteError(['Cannot reach http://source.invalid/client/v4 while reading users with their identities: ECONNREFUSED.']);
  },
};

test("a sync's users source failing part way: the objects and the users of the batches sent are counted", async () => {
  const account = randomAccountId();
  const snapshot: Snapshot = {
    identityProviders: [sourceObject('identity_provider', { id: 'pin', name: 'PIN', type: 'onetimepin', config: {} }, locate)],
    lists: [],
    groups: [sourceObject('group', { id: 'g', name: 'Staff', include: [{ email_domain: { domain: 'example.com' } }] }, locate)],
    policies: [],
    users: failingSource,
  };
  const api = AccountApi.connect({ url: server.apiUrl, token: server.rootToken, account });
  await assert.rejects(importSnapshot(api, snapshot, { usersPerBatch: 2 }), (err: unknown) => {
    assert.ok(err instanceof RemoteError, String(err));
    assert.deepEqual(err.lines, [
      'Cannot reach http://source.invalid/client/v4 while reading users with their identities: ECONNREFUSED.',
      'Written before it, and kept on the target: 1 identity provider, 1 Access group, 2 users. Running the import again updates by name what is there and writes the rest.',
    ]);
    return true;
  });
  const users = await server.api('GET', `/accounts/${account}/access/users`);
  assert.deepEqual(users.json.result.map((u: { email: string }) => u.email).sort(), ['u0@example.com', 'u1@example.com']);
});
