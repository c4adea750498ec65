// Entries of Gateway lists: each value checked against its list's type (IP: addresses and
// CIDRs, as ip_list rules read them; EMAIL: addresses; DOMAIN: DNS names; other types: any
// text), and how appends and removals apply. EMAIL entries compare case-insensitively, like
// the engine's email_list (docs/semantics.md "Selectors"), and keep the case they were first
// sent in.

import { isValidDomain, isValidEmail, joinPointer, parseCidr, quote } from '../../engine/index.js';
import type { StoreWriter } from '../../store/store.js';
import type { RequestIssue } from '../errors.js';
import type { ListItemInput as ItemInput, ListTypeName } from '../../schema/lists.js';

function valueIssue(type: ListTypeName, value: string, pointer: string): RequestIssue | undefined {
  switch (type) {
    case 'IP':
      return parseCidr(value) === undefined
        ? { code: 'invalid_cidr', pointer, message: `${quote(value)} is not an IP address or CIDR range (e.g. "192.0.2.7", "10.0.0.0/8", "2001:db8::/32").` }
        : undefined;
    case 'EMAIL':
      return isValidEmail(value) ? undefined : { code: 'invalid_email', pointer, message: `${quote(value)} is not a valid email address.` };
    case 'DOMAIN':
      return isValidDomain(value) ? undefined : { code: 'invalid_domain', pointer, message: `${quote(value)} is not a valid domain name (e.g. "example.com").` };
    default:
      return undefined;
  }
}

/** Every item whose value does not fit the list type, pointing at `<pointer>/<index>/value`. */
export function itemValueIssues(type: ListTypeName, items: readonly ItemInput[], pointer: string): RequestIssue[] {
  const issues: RequestIssue[] = [];
  items.forEach((item, i) => {
    const issue = valueIssue(type, item.value, joinPointer(pointer, i, 'value'));
    if (issue !== undefined) issues.push(issue);
  });
  return issues;
}

const caseInsensitive = (type: ListTypeName): boolean => type === 'EMAIL';

/** The key entries are unique by within a list. */
function itemKey(type: ListTypeName, value: string): string {
  return caseInsensitive(type) ? value.toLowerCase() : value;
}

/** Items with repeated values dropped; the first keeps its place and description. */
function firstOfEach(type: ListTypeName, items: readonly ItemInput[]): ItemInput[] {
  const seen = new Set<string>();
  return items.filter((item) => {
    const key = itemKey(type, item.value);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

const toStored = (items: readonly ItemInput[]) => items.map((i) => ({ value: i.value, description: i.description ?? null }));

/** Remove, then append (so removing and appending one value replaces its description). */
export async function changeItems(
  tx: StoreWriter,
  accountId: string,
  listId: string,
  type: ListTypeName,
  change: { readonly append?: readonly ItemInput[]; readonly remove?: readonly string[] },
): Promise<void> {
  let remove = change.remove ?? [];
  let append = firstOfEach(type, change.append ?? []);
  if (caseInsensitive(type) && (remove.length > 0 || append.length > 0)) {
    // The store matches values exactly: find the stored spelling of each value.
    const stored = await tx.listItemValues(accountId, listId);
    const removed = new Set(remove.map((v) => itemKey(type, v)));
    remove = stored.filter((v) => removed.has(itemKey(type, v)));
    const kept = new Set(stored.map((v) => itemKey(type, v)).filter((key) => !removed.has(key)));
    append = append.filter((item) => !kept.has(itemKey(type, item.value)));
  }
  await tx.removeListItems(accountId, listId, remove);
  await tx.addListItems(accountId, listId, toStored(append));
}

/** Replace every entry of a list. */
export async function replaceItems(tx: StoreWriter, accountId: string, listId: string, type: ListTypeName, items: readonly ItemInput[]): Promise<void> {
  await tx.deleteListItems(accountId, listId);
  await tx.addListItems(accountId, listId, toStored(firstOfEach(type, items)));
}
