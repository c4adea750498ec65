// The few places where SQLite and PostgreSQL need different SQL, as fragments the store's
// queries splice in (fixed strings, never data).

import type { Dialect } from './driver.js';

export interface DialectSql {
  readonly dialect: Dialect;
  /** A sub-select of TEXT columns read from one JSON-array-of-objects parameter. */
  jsonRows(columns: readonly string[]): string;
  /** `column IN (...)` against one JSON-array-of-strings parameter. */
  inJsonArray(column: string): string;
  /** A column that grows with every inserted resource, to order records created in the same millisecond. */
  readonly insertionOrder: string;
  /** Row locks for a select inside a transaction (PostgreSQL); SQLite's writer lock already serializes. */
  readonly forUpdate: string;
  /**
   * The lower-case form of a text expression with Unicode's rules, as JavaScript's toLowerCase
   * gives it: SQLite's own lower() changes ASCII letters only ("ÉMILE" stays), so its driver
   * registers unicode_lower; PostgreSQL's lower() follows the database's Unicode locale.
   */
  lower(expression: string): string;
  /**
   * How a substring search orders its matches by `column`. PostgreSQL's planner, seeing
   * ORDER BY seq LIMIT 50, walks the seq index hoping to meet 50 matches early, and reads every
   * user when a term matches none; ordering by an expression makes it use the trigram index and
   * sort the matches instead. SQLite reads every user either way, in index order.
   */
  searchOrder(column: string): string;
  /**
   * Whether a text expression begins with a fixed prefix. PostgreSQL's starts_with is cheaper per
   * row than comparing a substr() (a million-user policy test checks every user's record;
   * docs/benchmarks.md); SQLite has no starts_with.
   */
  startsWith(expression: string, prefix: string): string;
  /** The string at `path` in a JSON text column, or NULL (fixed field names of our own, never data). */
  jsonText(column: string, path: readonly string[]): string;
  /** Whether the JSON text column holds JSON true at `path`. */
  jsonIsTrue(column: string, path: readonly string[]): string;
}

/** A JSON path spliced into SQL: fixed field names of our own, refused if they are anything else. */
function fieldPath(path: readonly string[]): readonly string[] {
  if (path.length === 0 || !path.every((name) => /^[a-z_][a-z0-9_]*$/.test(name))) throw new Error(`not a plain field path: ${path.join('.')}`);
  return path;
}

/** A prefix spliced into SQL as a literal: fixed text of our own, refused if it could end the literal. */
function literal(prefix: string): string {
  if (prefix.includes("'")) throw new Error(`not a plain SQL literal: ${prefix}`);
  return `'${prefix}'`;
}

export function sqlFor(dialect: Dialect): DialectSql {
  if (dialect === 'sqlite') {
    return {
      dialect,
      jsonRows: (columns) => `(SELECT ${columns.map((c) => `json_extract(j.value, '$.${c}') AS ${c}`).join(', ')} FROM json_each(?) AS j)`,
      inJsonArray: (column) => `${column} IN (SELECT value FROM json_each(?))`,
      insertionOrder: 'rowid',
      forUpdate: '',
      lower: (expression) => `unicode_lower(${expression})`,
      searchOrder: (column) => column,
      startsWith: (expression, prefix) => `substr(${expression}, 1, ${prefix.length}) = ${literal(prefix)}`,
      // json_extract also answers numbers and booleans (as 1/0): only a JSON string counts as text.
      jsonText: (column, path) => `(CASE WHEN json_type(${column}, '$.${fieldPath(path).join('.')}') = 'text' THEN json_extract(${column}, '$.${path.join('.')}') END)`,
      jsonIsTrue: (column, path) => `(json_type(${column}, '$.${fieldPath(path).join('.')}') IS 'true')`,
    };
  }
  return {
    dialect,
    jsonRows: (columns) => `(SELECT * FROM jsonb_to_recordset(?::jsonb) AS x(${columns.map((c) => `${c} TEXT`).join(', ')}))`,
    inJsonArray: (column) => `${column} IN (SELECT jsonb_array_elements_text(?::jsonb))`,
    insertionOrder: 'seq',
    forUpdate: ' FOR UPDATE',
    lower: (expression) => `lower(${expression})`,
    searchOrder: (column) => `${column} + 0`,
    startsWith: (expression, prefix) => `starts_with(${expression}, ${literal(prefix)})`,
    jsonText: (column, path) => `(CASE WHEN jsonb_typeof(${column}::jsonb #> '{${fieldPath(path).join(',')}}') = 'string' THEN ${column}::jsonb #>> '{${path.join(',')}}' END)`,
    jsonIsTrue: (column, path) => `((${column}::jsonb #> '{${fieldPath(path).join(',')}}') IS NOT DISTINCT FROM 'true'::jsonb)`,
  };
}
