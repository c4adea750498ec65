// JSON output whose array of users may be too long to build as one string: the object's other
// fields first, then the entries written one chunk at a time, then any trailing fields.

import { write } from './command-kit.js';
import type { JsonEntries } from './json-entries.js';

/**
 * Write `{...head, [key]: [entries...], ...tail}`, pretty-printed like JSON.stringify(_, null, 2)
 * except that each entry sits on one line.
 */
export async function writeJsonWithEntries(head: object, key: string, entries: JsonEntries, tail: Record<string, unknown> = {}): Promise<void> {
  await write(JSON.stringify(head, null, 2).slice(0, -2) + `,\n  ${JSON.stringify(key)}: [`);
  if (!entries.empty) {
    await write('\n    ');
    for await (const chunk of entries.chunks()) await write(chunk);
    await write('\n  ');
  }
  await write(']');
  for (const [name, value] of Object.entries(tail)) {
    await write(`,\n  ${JSON.stringify(name)}: ` + JSON.stringify(value, null, 2).replace(/\n/g, '\n  '));
  }
  await write('\n}\n');
}
