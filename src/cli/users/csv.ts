// CSV users files (docs/cli.md "Users as CSV"): a header row naming columns, one user per row.
// Each column sets one field of the user's identity; lists inside a cell are separated by ";".
// Parsing is csv-parse's (quotes, CRLF, BOM); this module maps columns to the identity model.

import { createReadStream } from 'node:fs';
import { parse, type CsvError } from 'csv-parse';
import { isValidEmail, parseIp, type Identity, type IdentityGroup } from '../../engine/index.js';
import { fileProblem } from '../json-source.js';
import type { Problems } from '../../transfer/problems.js';
import { isObject } from '../shapes.js';
import type { SourceUser } from './user.js';

export const LIST_SEPARATOR = ';';

type Row = Readonly<Record<string, string>>;
type Fail = (column: string, message: string) => void;

const list = (cell: string): string[] =>
  cell
    .split(LIST_SEPARATOR)
    .map((s) => s.trim())
    .filter((s) => s !== '');

/** Columns that set one identity field each: column → what it does to the identity. */
const FIELD_COLUMNS: Record<string, (identity: Identity, cell: string, fail: Fail) => void> = {
  idp_id: (identity, cell) => {
    identity.idp = { ...identity.idp, id: cell };
  },
  idp_type: (identity, cell) => {
    identity.idp = { ...identity.idp, type: cell };
  },
  amr: (identity, cell) => {
    identity.amr = list(cell);
  },
  auth_contexts: (identity, cell) => {
    identity.auth_contexts = list(cell);
  },
  country: (identity, cell, fail) => {
    if (!/^[A-Za-z]{2}$/.test(cell)) fail('country', `${JSON.stringify(cell)} is not a two-letter country code.`);
    else identity.geo = { country: cell.toUpperCase() };
  },
  ip: (identity, cell, fail) => {
    if (parseIp(cell) === undefined) fail('ip', `${JSON.stringify(cell)} is not an IP address.`);
    else identity.ip = cell;
  },
  user_risk_score: (identity, cell, fail) => {
    const level = cell.toLowerCase();
    if (level !== 'low' && level !== 'medium' && level !== 'high') fail('user_risk_score', `${JSON.stringify(cell)} is not low, medium or high.`);
    else identity.user_risk_score = level;
  },
  common_name: (identity, cell) => {
    identity.common_name = cell;
  },
  cert_status: (identity, cell) => {
    identity.mtls_auth = { cert_presented: true, auth_status: cell };
  },
  device_posture: (identity, cell) => {
    identity.devicePosture = Object.fromEntries(list(cell).map((id) => [id, { success: true }]));
  },
  service_token_id: (identity, cell) => {
    identity.service_token_id = cell;
  },
  service_token_status: (identity, cell, fail) => {
    const v = cell.toLowerCase();
    if (v !== 'true' && v !== 'false') fail('service_token_status', `${JSON.stringify(cell)} is not true or false.`);
    else identity.service_token_status = v === 'true';
  },
  cloudflare_account_ids: (identity, cell) => {
    identity.cloudflare_account_ids = list(cell);
  },
};

/** Columns read by the row itself rather than mapped field by field. */
const ROW_COLUMNS = ['id', 'email', 'name', 'groups', 'identity'];
const PREFIXES = ['saml.', 'oidc.'];

export const CSV_COLUMNS: readonly string[] = [...ROW_COLUMNS, ...Object.keys(FIELD_COLUMNS)];

const isKnownColumn = (name: string): boolean =>
  CSV_COLUMNS.includes(name) || PREFIXES.some((p) => name.startsWith(p) && name.length > p.length);

/**
 * The "groups" cell, read according to the IdP type, since each IdP reports groups differently
 * (docs/semantics.md "Identity model"): Google Workspace by group email, Azure AD by object
 * id, GitHub as "org" or "org/team", every other IdP (Okta, SAML, OIDC, ...) by group name.
 */
export function groupsFor(idpType: string | undefined, cell: string): IdentityGroup[] {
  const entries = list(cell);
  switch (idpType) {
    case 'google-apps':
    case 'google':
      return entries.map((email) => ({ email }));
    case 'azureAD':
      return entries.map((id) => ({ id }));
    case 'github': {
      const orgs = new Map<string, string[]>();
      for (const entry of entries) {
        const slash = entry.indexOf('/');
        const org = slash < 0 ? entry : entry.slice(0, slash);
        const teams = orgs.get(org) ?? [];
        if (slash >= 0) teams.push(entry.slice(slash + 1));
        orgs.set(org, teams);
      }
      return [...orgs].map(([name, teams]) => ({ name, teams }));
    }
    default:
      return entries.map((name) => ({ name }));
  }
}

/** Turn one row into a user; undefined (after reporting each bad cell) when it is not usable. */
export function userFromRow(row: Row, fail: Fail): SourceUser | undefined {
  let ok = true;
  const failed: Fail = (column, message) => {
    ok = false;
    fail(column, message);
  };
  const email = row.email ?? '';
  if (email === '') failed('email', 'The row has no email.');
  else if (!isValidEmail(email)) failed('email', `${JSON.stringify(email)} is not a valid email address.`);
  const name = row.name ?? '';
  let identity: Identity = {};
  const json = row.identity ?? '';
  if (json !== '') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(json);
    } catch {
      parsed = undefined;
    }
    if (isObject(parsed)) identity = parsed as Identity;
    else failed('identity', 'The cell must hold a JSON object (a last seen identity).');
  }
  // The row's own columns override the identity cell.
  if (email !== '') identity.email = email;
  if (name !== '') identity.name = name;
  for (const [column, cell] of Object.entries(row)) {
    if (cell === '') continue;
    const set = FIELD_COLUMNS[column];
    if (set !== undefined) set(identity, cell, failed);
    else if (column.startsWith('saml.') || column.startsWith('oidc.')) {
      const bag = column.startsWith('saml.') ? 'saml_attributes' : 'oidc_fields';
      const values = list(cell);
      identity[bag] = { ...(isObject(identity[bag]) ? identity[bag] : {}), [column.slice(5)]: values.length === 1 ? values[0] : values };
    }
  }
  if ((row.groups ?? '') !== '') identity.groups = groupsFor(identity.idp?.type, row.groups);
  if (!ok) return undefined;
  return { id: row.id !== undefined && row.id !== '' ? row.id : email, email, name, identity };
}

/**
 * Stream a CSV users file: the header is checked first (unknown or repeated columns, no email
 * column), then each row is mapped. Unparseable rows are reported with their line and skipped.
 */
export async function streamCsv(
  file: string,
  problems: Problems,
  onUser: (user: SourceUser, line: number) => void,
  onProgress?: (bytesRead: number) => void,
): Promise<void> {
  let headerOk = true;
  const input = createReadStream(file);
  const parser = parse({
    bom: true,
    trim: true,
    skip_empty_lines: true,
    info: true,
    skip_records_with_error: true,
    on_skip: (err: CsvError | undefined) => {
      if (err !== undefined) problems.add({ file, line: lineOf(err), code: 'invalid_csv', message: `${err.message.replace(/ on line \d+$/, '')}.` });
      return undefined;
    },
    columns: (header: string[]) => {
      const names = header.map((h) => h.trim());
      const seen = new Set<string>();
      for (const name of names) {
        if (!isKnownColumn(name)) {
          headerOk = false;
          problems.add({ file, line: 1, code: 'unknown_column', message: `Unknown column ${JSON.stringify(name)}; the columns are ${CSV_COLUMNS.join(', ')}, saml.ATTRIBUTE and oidc.CLAIM (docs/cli.md).` });
        } else if (seen.has(name)) {
          headerOk = false;
          problems.add({ file, line: 1, code: 'invalid_csv', message: `Column ${JSON.stringify(name)} appears twice in the header.` });
        }
        seen.add(name);
      }
      if (!seen.has('email')) {
        headerOk = false;
        problems.add({ file, line: 1, code: 'missing_column', message: 'The header has no "email" column.' });
      }
      return names;
    },
  });
  input.on('data', () => onProgress?.(input.bytesRead));
  input.on('error', (err) => parser.destroy(err));
  const records = input.pipe(parser) as AsyncIterable<{ record: Row; info: { lines: number } }>;
  try {
    for await (const { record, info } of records) {
      if (!headerOk) break; // rows cannot be read against a broken header; its problems say why
      const line = info.lines;
      const user = userFromRow(record, (column, message) => problems.add({ file, line, code: 'invalid_user', message: `Column "${column}": ${message}` }));
      if (user !== undefined) onUser(user, line);
    }
  } catch (err) {
    if (typeof (err as NodeJS.ErrnoException).syscall === 'string') problems.add(fileProblem(file, err));
    else problems.add({ file, line: lineOf(err as CsvError), code: 'invalid_csv', message: `${(err as Error).message.replace(/ on line \d+$/, '')}.` });
  } finally {
    input.destroy();
  }
}

function lineOf(err: CsvError): number | undefined {
  const lines = (err as unknown as { lines?: unknown }).lines;
  return typeof lines === 'number' ? lines : undefined;
}
