// Two `portcullis serve` processes on one database, as the tests of what an instance keeps in
// memory (verified tokens, answers) need them: a change written through one, read through both.

import { after, describe, it } from 'node:test';
import { randomBytes } from 'node:crypto';
import { postgresDatabase, postgresUnavailable, sqliteDatabase } from './databases.js';
import { ServerFleet } from './server-process.js';

export interface SharedInstances {
  /** The root API token both processes accept. */
  readonly root: string;
  /** The account both processes serve. */
  readonly accountId: string;
  /** The processes' API URLs, once the suite's first test has started them. */
  apiUrls(): string[];
}

/**
 * The same suite on one SQLite file and on one PostgreSQL database (skipped, with the reason,
 * where PostgreSQL is unavailable). Its first test starts the two processes; they stop after it.
 */
export async function describeTwoInstances(name: (where: string) => string, body: (instances: SharedInstances) => void): Promise<void> {
  const postgresSkip = await postgresUnavailable();
  for (const kind of ['sqlite', 'postgres'] as const) {
    describe(name(kind === 'sqlite' ? 'SQLite file' : 'PostgreSQL database'), { skip: kind === 'postgres' ? postgresSkip : undefined }, () => {
      const fleet = new ServerFleet();
      const root = randomBytes(30).toString('base64url');
      const accountId = randomBytes(16).toString('hex');
      it('starts two instances', async () => {
        await fleet.startSharing(2, kind === 'sqlite' ? sqliteDatabase : postgresDatabase, { PORTCULLIS_API_TOKEN: root, PORTCULLIS_ACCOUNT_ID: accountId });
      });
      after(() => fleet.dispose());
      body({ root, accountId, apiUrls: () => fleet.servers.map((s) => s.apiUrl) });
    });
  }
}
