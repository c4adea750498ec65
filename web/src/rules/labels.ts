// The hints the rule builder gives for each field format, and how notes name the place a
// pointer names. Fields' labels come from the engine's selector catalogue.

import { SELECTOR_SPECS, type FieldFormat, type FieldSpec } from '../../../src/engine/selectors.js';

const PLACEHOLDERS: Partial<Record<FieldFormat, string>> = {
  email: 'someone@example.com',
  domain: 'example.com',
  cidr: '192.0.2.0/24',
  country: 'US',
  url: 'https://…',
};

const humanize = (name: string): string => {
  const text = name.replace(/_/g, ' ');
  return text.charAt(0).toUpperCase() + text.slice(1);
};

export function placeholderOf(field: FieldSpec): string | undefined {
  return PLACEHOLDERS[field.format];
}

const capitalize = (text: string): string => text.charAt(0).toUpperCase() + text.slice(1);

/**
 * A person's name for the place a JSON pointer names: "/require/0/geo/country_code" is
 * "Require rule 1: Country code", "/session_duration" is "Session duration". `shownLabel` gives
 * the label the form shows for a pointer, when it has a field for it: the nearest such field
 * names the place, so "/items/1/value" under a field labelled "Entries" is "Entries › #2".
 */
export function describePointer(pointer: string, shownLabel: (pointer: string) => string | undefined = () => undefined): string {
  if (pointer === '') return 'The whole document';
  const parts = pointer.split('/').slice(1).map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  const [list, index, selector, field] = parts;
  if ((list === 'include' || list === 'require' || list === 'exclude') && index !== undefined && /^\d+$/.test(index)) {
    const rule = `${capitalize(list)} rule ${Number(index) + 1}`;
    const spec = selector === undefined ? undefined : SELECTOR_SPECS.get(selector);
    const fieldSpec = spec?.fields.find((f) => f.name === field);
    return fieldSpec !== undefined ? `${rule}: ${fieldSpec.label}` : rule;
  }
  const named = (p: string): string => (/^\d+$/.test(p) ? `#${Number(p) + 1}` : humanize(p));
  const pointerOf = (count: number): string => pointer.split('/').slice(0, count + 1).join('/');
  for (let count = parts.length; count > 0; count--) {
    const label = shownLabel(pointerOf(count));
    if (label === undefined) continue;
    const rest = parts.slice(count);
    // An entry edited as a line of text is its value: "Entries › #2", not "Entries › #2 › Value".
    if (rest.length === 2 && /^\d+$/.test(rest[0]) && rest[1] === 'value') rest.pop();
    return [label, ...rest.map(named)].join(' › ');
  }
  return parts.map(named).join(' › ');
}
