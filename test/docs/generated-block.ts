// The part of a doc between two marker comments that `npm run docs` rewrites from the code,
// and the Markdown tables it is made of.

export interface GeneratedBlock {
  readonly begin: string;
  readonly end: string;
  /** The block as the code gives it, markers included. */
  render(): string;
}

function bounds(doc: string, block: GeneratedBlock): [number, number] | undefined {
  const start = doc.indexOf(block.begin);
  const end = doc.indexOf(block.end);
  return start < 0 || end < start ? undefined : [start, end + block.end.length];
}

/** The block of `doc` as it stands, markers included; undefined when a marker is missing. */
export function currentBlock(doc: string, block: GeneratedBlock): string | undefined {
  const at = bounds(doc, block);
  return at === undefined ? undefined : doc.slice(...at);
}

/** `doc` with its block replaced by the rendered one; `name` names the doc when a marker is missing. */
export function replaceBlock(doc: string, block: GeneratedBlock, name: string): string {
  const at = bounds(doc, block);
  if (at === undefined) throw new Error(`${name} lacks the generated-block markers`);
  return doc.slice(0, at[0]) + block.render() + doc.slice(at[1]);
}

const cell = (text: string | number): string => String(text).replace(/\|/g, '\\|');

/** A Markdown table; pipes inside cells are escaped. */
export function table(headers: string[], rows: (string | number)[][]): string {
  return [`| ${headers.join(' | ')} |`, `|${headers.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.map(cell).join(' | ')} |`)].join('\n');
}
