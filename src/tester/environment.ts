// The account a policy test decides against: the snapshot of groups, lists, IdPs, tokens,
// posture rules and apps stored when the test started, so that edits made while it runs change
// neither its counts nor its explanations, whichever process decides a chunk and however late.
// A test stored without one (before the snapshot existed) reads the account as it is now.

import { accountEnvOf, loadAccountEnv, type AccountSnapshot } from '../account/account-env.js';
import type { EvalEnv } from '../engine/index.js';
import type { PolicyTestRecord, PolicyTestStore, StoreReader } from '../store/store.js';
import { testPoliciesOf, type TestDefinition } from './definition.js';

export async function testEnv(tests: Pick<PolicyTestStore, 'environment'>, store: StoreReader, test: PolicyTestRecord): Promise<EvalEnv> {
  const snapshot = (await tests.environment(test.id)) as AccountSnapshot | undefined;
  if (snapshot !== undefined) return accountEnvOf(snapshot).env;
  return (await loadAccountEnv(store, test.accountId, testPoliciesOf(test.definition as TestDefinition))).env;
}
