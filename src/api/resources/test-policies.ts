// The policies a policy test or a what-if evaluation runs: reusable policies named by id, and
// inline policies (validated exactly like saved ones, references included), in list order.

import type { Issue } from '../../engine/index.js';
import type { StoreReader } from '../../store/store.js';
import type { TestPolicy } from '../../tester/definition.js';
import type { RequestIssue } from '../errors.js';
import { checkPolicyInput } from './policy-input.js';

export interface ResolvedPolicies {
  readonly policies: TestPolicy[];
  readonly issues: (Issue | RequestIssue)[];
}

export async function resolveTestPolicies(store: StoreReader, accountId: string, entries: readonly unknown[], pointer: string): Promise<ResolvedPolicies> {
  const policies: TestPolicy[] = [];
  const issues: (Issue | RequestIssue)[] = [];
  for (const [i, entry] of entries.entries()) {
    const at = `${pointer}/${i}`;
    if (typeof entry === 'string') {
      const record = await store.getResource(accountId, 'policy', entry);
      if (record === undefined) issues.push({ code: 'unknown_policy', pointer: at, message: `Reusable policy ${JSON.stringify(entry)} does not exist in this account.` });
      else policies.push({ id: record.id, body: record.body });
      continue;
    }
    const checked = await checkPolicyInput(store, accountId, entry, { pointer: at });
    if (checked.ok) policies.push({ body: checked.value.body });
    else issues.push(...checked.issues);
  }
  return { policies, issues };
}
