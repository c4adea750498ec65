// What import and sync report: per kind how many objects were created and updated (or would be,
// in a dry run), the users (and how many of them were, or would be, left unchanged), and with
// --dry-run or --json each object and its action.

import type { Endpoint } from '../../transfer/account-api.js';
import type { ScimSecret, WriteOutcome } from '../../transfer/apply.js';
import type { ImportResult } from '../../transfer/import.js';
import { KIND_WORDS, OBJECT_KINDS, type ObjectKind } from '../../transfer/snapshot.js';
import { table } from '../render.js';

const JSON_KEYS: Readonly<Record<ObjectKind, string>> = {
  identity_provider: 'identity_providers',
  list: 'lists',
  group: 'groups',
  policy: 'policies',
};

const ROW_WORDS: Readonly<Record<ObjectKind, string>> = {
  identity_provider: 'identity providers',
  list: 'Gateway lists',
  group: 'Access groups',
  policy: 'policies',
};

const where = (endpoint: Endpoint) => ({ url: endpoint.url, account: endpoint.account });

function counts(outcomes: readonly WriteOutcome[], kind: ObjectKind): { created: number; updated: number } {
  const of = outcomes.filter((o) => o.kind === kind);
  return { created: of.filter((o) => o.action === 'create').length, updated: of.filter((o) => o.action === 'update').length };
}

/** The --json document of an import (or, with `source`, a sync). */
export function transferJson(result: ImportResult, target: Endpoint, source?: Endpoint): Record<string, unknown> {
  return {
    dry_run: result.dryRun,
    ...(source !== undefined ? { source: where(source) } : {}),
    target: where(target),
    ...Object.fromEntries(OBJECT_KINDS.map((kind) => [JSON_KEYS[kind], counts(result.outcomes, kind)])),
    // A dry run's unchanged is null where the target cannot tell (usersNotCompared).
    users: result.users === undefined ? null : result.dryRun ? { ...result.users, unchanged: result.users.unchanged ?? null } : result.users,
    objects: result.outcomes,
    scim_secrets: result.scimSecrets,
  };
}

/** The human report of an import or sync. */
export function transferText(result: ImportResult, target: Endpoint, verb: string): string {
  const into = `${target.url}, account ${target.account}`;
  const out: string[] = [];
  if (result.dryRun) {
    out.push(`Dry run: nothing was written. In ${into}, this would:`, '');
    for (const o of result.outcomes) out.push(`  ${o.action.padEnd(6)}  ${KIND_WORDS[o.kind]} ${JSON.stringify(o.name)}${o.id !== undefined ? ` (${o.id})` : ''}`);
    if (result.outcomes.length === 0) out.push('  (no objects)');
    out.push('');
  } else {
    out.push(`${verb} into ${into}:`, '');
  }
  const right = (n: number | string) => String(n).padStart(7);
  const rows = OBJECT_KINDS.map((kind) => {
    const c = counts(result.outcomes, kind);
    return [ROW_WORDS[kind], right(c.created), right(c.updated)];
  });
  // Objects matched by name are always written; only users are compared.
  const unchanged = result.users?.unchanged;
  if (result.users !== undefined) rows.push(['users', right(result.users.created), right(result.users.updated), ...(unchanged !== undefined ? [right(unchanged)] : [])]);
  out.push(table(['', right(result.dryRun ? 'create' : 'created'), right(result.dryRun ? 'update' : 'updated'), ...(unchanged !== undefined ? ['unchanged'] : [])], rows));
  if (result.users === undefined) out.push('', 'Users were not part of this transfer.');
  else if (result.dryRun && unchanged === undefined) out.push('', usersNotCompared(target));
  if (result.scimSecrets.length > 0) out.push('', scimSecretsText(result.scimSecrets).trimEnd());
  return out.join('\n') + '\n';
}

/** Why a dry run has no unchanged users to show: the target has no bulk read of identities to compare them with. */
function usersNotCompared(target: Endpoint): string {
  return `Users are counted by email only: ${target.url} has no bulk read of identities (not a portcullis server), so users the import would leave unchanged are counted as updated.`;
}

/**
 * The SCIM secrets the target made, labelled: the API shows each once, and without it the
 * directory cannot push. Never written anywhere else (an export never holds one).
 */
export function scimSecretsText(secrets: readonly ScimSecret[]): string {
  const out = [`SCIM secrets, shown this once (the target will not show them again; set each as the bearer token of its directory's provisioning now):`];
  for (const s of secrets) {
    out.push(`  identity provider ${JSON.stringify(s.name)} (${s.id}): ${s.secret}`);
    if (s.scim_base_url !== undefined) out.push(`    SCIM base URL: ${s.scim_base_url}`);
  }
  return out.join('\n') + '\n';
}
