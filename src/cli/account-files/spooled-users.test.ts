// Users waiting in the import's spool come back as they went in, whatever falls on the 1 MiB
// boundaries the spool is read at: a character cut there was stored as U+FFFD before.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Spool } from '../spool.js';
import { spooledUsers } from './read-files.js';

test('a character cut by a read boundary of the spool comes back whole', async () => {
  const spool = new Spool();
  try {
    const opening = '{"email":"a@x.test","name":"';
    // '語' (three bytes in UTF-8) starts one byte before the first 1 MiB boundary.
    const name = 'a'.repeat((1 << 20) - 1 - opening.length) + '語';
    spool.append(`${opening}${name}"}\n`);
    spool.append(`${JSON.stringify({ email: 'b@x.test', name: '日本語' })}\n`);
    const users = [];
    for await (const user of spooledUsers(spool, 2).users()) users.push(user);
    assert.deepEqual(users.map((u) => [u.email, u.name === name ? 'long name whole' : u.name]), [['a@x.test', 'long name whole'], ['b@x.test', '日本語']]);
  } finally {
    spool.dispose();
  }
});
