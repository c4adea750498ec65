// The account a policy test decides against: the snapshot of groups, lists, IdPs, tokens,
// posture rules and apps stored when the test started, so that edits made while it runs change
// neither its counts nor its explanations, whichever process decides a chunk and however late.
// A test stored without one (before the snapshot existed) reads the account as it is now.

import { accountEnvOf, readAccountSnapshot, type AccountSnapshot } from '../account/account-env.js';
import type { EvalEnv } from '../engine/index.js';
import type { PolicyTestRecord, PolicyTestStore, StoreReader } from '../store/store.js';
import { testPoliciesOf, type TestDefinition } from './definition.js';

/** The snapshot a test decides against, as plain data (worker threads compile from it). */
export async function testSnapshot(tests: Pick<PolicyTestStore, 'environment'>, store: StoreReader, test: PolicyTestRecord): Promise<AccountSnapshot> {
  const snapshot = (await tests.environment(test.id)) as AccountSnapshot | undefined;
  return snapshot ?? readAccountSnapshot(store, test.accountId, testPoliciesOf(test.definition as TestDefinition));
}

export async function testEnv(tests: Pick<PolicyTestStore, 'environment'>, store: StoreReader, test: PolicyTestRecord): Promise<EvalEnv> {
  return accountEnvOf(await testSnapshot(tests, store, test)).env;
}
