// Problems with the files the CLI reads: one per thing wrong, each naming the file and, where it
// can, the line, column and JSON pointer. They are rendered as `file:line:col /pointer: message
// [code]` on stderr (and as JSON with --json), never as a stack trace.

/** CLI-level problem codes (engine validation codes are documented in docs/errors.md). */
export const INPUT_PROBLEM_CODES = {
  file_not_found: 'A file named on the command line does not exist.',
  file_unreadable: 'A file exists but cannot be read (a directory, no permission, ...).',
  invalid_json: 'A file, or one NDJSON line, is not valid JSON.',
  invalid_yaml: 'An expectations file is not valid YAML.',
  invalid_csv: 'A CSV row cannot be parsed (an unclosed quote, a different number of fields than the header, ...).',
  invalid_shape: 'The file is valid JSON but not of the expected shape (for example an object where an array of policies belongs).',
  unknown_column: 'A CSV users file has a column that the mapping does not know (often a typo).',
  missing_column: 'A CSV users file has no "email" column.',
  invalid_user: 'A user entry is not an object with an "email" string, or one of its fields has the wrong type.',
  duplicate_user: 'Two user entries have the same email (compared case-insensitively); each user must appear once.',
  duplicate_id: 'Two groups, lists or identity providers have the same id.',
  invalid_list: 'A Gateway list entry lacks "id", "type" or an "items" array, or an item is not valid for the list type.',
  invalid_identity_provider: 'An identity provider entry lacks a string "id" or "type".',
  invalid_expectation: 'An expectation case is malformed (missing "user", an "expect" that is not approved, blocked or error, ...).',
  unknown_policy: 'An expectation, or an application of --app, names a policy (by name or id) that the policies file does not contain.',
  unknown_application: 'The application of --app is not in the applications file (by name or id), or several have that name.',
  export_mismatch: "A file of an export directory does not match the directory's manifest.json: incomplete (an interrupted export or copy), changed since the export, or not part of that export.",
  invalid_manifest: "An export directory's manifest.json cannot be read, is not a portcullis export manifest, or was written by a newer portcullis.",
  user_not_found: 'The user given to --explain is not in the users file.',
  duplicate_name: 'Two objects of one kind in an import have the same name; import matches objects by name, so names must be unique.',
  ambiguous_name: 'Several objects of one kind have the name an import matches (on its target) or an application names (in the policies file), so which one is meant cannot be told.',
  list_type_changed: "A Gateway list of an import has the name of a target list of another type; a list's type cannot change.",
  identity_provider_type_changed: 'An identity provider of an import has the name of a target identity provider of another type; import replaces it only with --replace-idp-type.',
  refused: 'The target refused an object an import sent (its message and error code follow); the objects written stay.',
} as const;

export type InputProblemCode = keyof typeof INPUT_PROBLEM_CODES;

export interface Problem {
  readonly file: string;
  /** An input problem code above, or an engine validation code (docs/errors.md). */
  readonly code: string;
  readonly message: string;
  /** JSON pointer (RFC 6901) into the file's document, or into one NDJSON line. */
  readonly pointer?: string;
  /** 1-based line and column, where known. */
  readonly line?: number;
  readonly column?: number;
}

/** Where a problem is: `file:line:col /pointer`, parts left out when unknown. */
export function problemLocation(p: Pick<Problem, 'file' | 'pointer' | 'line' | 'column'>): string {
  let at = p.file;
  if (p.line !== undefined) at += `:${p.line}${p.column !== undefined ? `:${p.column}` : ''}`;
  if (p.pointer !== undefined && p.pointer !== '') at += ` ${p.pointer}`;
  return at;
}

export function formatProblem(p: Problem): string {
  return `${problemLocation(p)}: ${p.message} [${p.code}]`;
}

/**
 * File by file (in the order each was first reported), then by line; problems without a line
 * keep their order. Parallel runs find problems out of order; reports are the same either way.
 */
export function sortProblems<T extends Problem>(problems: readonly T[]): T[] {
  const fileOrder = new Map<string, number>();
  for (const p of problems) if (!fileOrder.has(p.file)) fileOrder.set(p.file, fileOrder.size);
  return problems
    .map((p, i) => ({ p, i }))
    .sort((a, b) => fileOrder.get(a.p.file)! - fileOrder.get(b.p.file)! || (a.p.line ?? 0) - (b.p.line ?? 0) || (a.p.column ?? 0) - (b.p.column ?? 0) || a.i - b.i)
    .map(({ p }) => p);
}

/** The problems found in the inputs; thrown once every file has been read. */
export class InputError extends Error {
  readonly problems: readonly Problem[];

  constructor(
    problems: readonly Problem[],
    /** Problems found beyond the cap and not kept. */
    readonly omitted = 0,
    /** More of the --json document beside the problems (an import's `refusal`). */
    readonly jsonFields: Readonly<Record<string, unknown>> = {},
  ) {
    const sorted = sortProblems(problems);
    super(sorted.map(formatProblem).join('\n'));
    this.name = 'InputError';
    this.problems = sorted;
  }
}

/**
 * Collects problems while files are read. Capped, so that a 1,000,000-line file with the same
 * mistake on every line neither floods the terminal nor fills memory; the rest are counted.
 */
export class Problems {
  readonly list: Problem[] = [];
  omitted = 0;

  constructor(private readonly max = 100) {}

  add(problem: Problem): void {
    if (this.list.length < this.max) this.list.push(problem);
    else this.omitted++;
  }

  get count(): number {
    return this.list.length + this.omitted;
  }

  /** Throw an InputError when anything was found. */
  throwIfAny(): void {
    if (this.count > 0) throw new InputError(this.list, this.omitted);
  }
}
