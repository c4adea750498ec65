// Zero Trust seats through the official SDK (seats.edit): a user's Access seat is held from their
// first login (their last seen identity) and given up by setting access_seat and gateway_seat
// false, all or nothing. SQLite and PostgreSQL.
import { it } from 'node:test';
import assert from 'node:assert/strict';
import Cloudflare from 'cloudflare';
import { describeEachDatabase } from '../../../test/support/suite.js';
import { randomAccountId } from '../../../test/support/server.js';

await describeEachDatabase('Zero Trust seats', (s) => {
  it('removes users from their seats, answers the seats, and refuses the whole edit for an unknown seat', async () => {
    const account_id = randomAccountId();
    const imported = await s.api('POST', `/accounts/${account_id}/access/users/import`, {
      users: [
        { email: 'ann@example.com', identity: { email: 'ann@example.com', groups: [] } },
        { email: 'bob@example.com', identity: { email: 'bob@example.com', groups: [] } },
        { email: 'cat@example.com' },
      ],
    });
    assert.equal(imported.status, 200, JSON.stringify(imported.json));
    const users = (await s.cf.zeroTrust.access.users.list({ account_id })).result as { id: string; email: string; seat_uid: string; access_seat: boolean }[];
    const [ann, bob, cat] = users;
    assert.deepEqual(users.map((u) => u.access_seat), [true, true, false]);

    const unknown = '00000000-0000-4000-8000-000000000000';
    await assert.rejects(
      s.cf.zeroTrust.seats.edit({ account_id, body: [{ seat_uid: ann!.seat_uid, access_seat: false, gateway_seat: false }, { seat_uid: unknown, access_seat: false, gateway_seat: false }] }),
      (err: unknown) => err instanceof Cloudflare.NotFoundError && err.message.includes(unknown),
    );
    assert.equal((await s.cf.zeroTrust.access.users.get(ann!.id, { account_id })).access_seat, true, 'nothing written');

    const page = await s.cf.zeroTrust.seats.edit({ account_id, body: [{ seat_uid: ann!.seat_uid, access_seat: false, gateway_seat: false }, { seat_uid: cat!.seat_uid, access_seat: false, gateway_seat: false }] });
    assert.deepEqual(
      page.result.map((seat) => [seat.seat_uid, seat.access_seat, seat.gateway_seat, typeof seat.updated_at]),
      [[ann!.seat_uid, false, false, 'string'], [cat!.seat_uid, false, false, 'string']],
    );
    const after = (await s.cf.zeroTrust.access.users.list({ account_id })).result as { email: string; access_seat: boolean }[];
    assert.deepEqual(after.map((u) => [u.email, u.access_seat]), [['ann@example.com', false], ['bob@example.com', true], ['cat@example.com', false]], 'the user stays, without a seat');
    assert.equal((await s.api('GET', `/accounts/${account_id}/access/users/${ann!.id}/last_seen_identity`)).status, 404, 'the seat was the identity: the next login takes one again');
    const audit: any[] = [];
    for await (const e of s.cf.auditLogs.list({ account_id } as never)) audit.push(e);
    assert.deepEqual(audit.filter((e) => e.resource.type === 'session_revocation').map((e) => e.resource.id), [ann!.id], "ann's sessions ended; cat held no seat");

    const give = await s.api('PATCH', `/accounts/${account_id}/access/seats`, [{ seat_uid: cat!.seat_uid, access_seat: true, gateway_seat: false }]);
    assert.equal(give.status, 400, 'a seat is taken by signing in, not given');
    const gateway = await s.api('PATCH', `/accounts/${account_id}/access/seats`, [{ seat_uid: bob!.seat_uid, access_seat: true, gateway_seat: true }]);
    assert.equal(gateway.status, 400, 'portcullis has no Gateway seats');
    assert.equal((await s.cf.zeroTrust.access.users.get(bob!.id, { account_id })).access_seat, true);
    const missing = await s.api('PATCH', `/accounts/${account_id}/access/seats`, [{ seat_uid: bob!.seat_uid, access_seat: false }]);
    assert.equal(missing.status, 400, 'both seats are required');
  });
});
