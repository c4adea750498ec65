// An application's choice of custom pages, by name: one select for the page a refused user sees
// (identity_denied) and one for a refused service token's (forbidden), each listing the account's
// pages of that type, plus "Default" (the organization's page, else the built-in one). The API
// takes the choice as one array of uids, `custom_pages`; uids of other types (login,
// interstitial, which only the API sets) are kept as they are.

import { describeError } from '../api/client.js';
import type { Result } from '../api/resources.js';
import { Link } from './common.js';
import { SelectField } from './fields.js';

type ListedPage = Result<'access-custom-pages-list-custom-pages'>[number];

const CHOICES = [
  { type: 'identity_denied', label: 'Identity denied page', hint: 'Shown to a signed-in user the policies refuse.' },
  { type: 'forbidden', label: 'Forbidden page', hint: 'Shown when a refusal is by non-identity rules, such as a service token refused.' },
] as const;

/** `chosen` with the page of `type` replaced by `uid` ('' for none), the other uids kept in their places. */
export function withPage(chosen: readonly string[], typeOf: (uid: string) => string | undefined, type: string, uid: string): string[] {
  const at = chosen.findIndex((u) => typeOf(u) === type);
  const others = chosen.filter((u) => typeOf(u) !== type);
  if (uid === '') return others;
  const next = [...others];
  next.splice(at === -1 ? next.length : at, 0, uid);
  return next;
}

export function CustomPageChoices({ chosen, pages, error, onChange }: { chosen: readonly string[]; pages: readonly ListedPage[] | undefined; error: unknown; onChange: (uids: string[]) => void }) {
  const typeOf = (uid: string): string | undefined => pages?.find((p) => p.id === uid)?.type;
  return (
    <>
      <div class="grid">
        {CHOICES.map((choice) => {
          const value = chosen.find((uid) => typeOf(uid) === choice.type) ?? '';
          // The pointer the API names a problem with this choice at: its place in custom_pages.
          const index = chosen.indexOf(value);
          return (
            <SelectField
              key={choice.type}
              label={choice.label}
              pointer={value !== '' && index !== -1 ? `/custom_pages/${index}` : `/custom_pages/${choice.type}`}
              hint={`${choice.hint} Default: the organization's page, else the built-in page.`}
              value={value}
              // Until the pages are read the choice cannot be shown, nor changed without losing it.
              disabled={pages === undefined}
              options={[{ value: '', label: 'Default' }, ...(pages ?? []).filter((p) => p.type === choice.type).map((p) => ({ value: p.id, label: p.name }))]}
              onChange={(uid) => onChange(withPage(chosen, typeOf, choice.type, uid))}
            />
          );
        })}
      </div>
      <p class="hint">
        <Link href="/custom-pages">Custom pages</Link> are written on their own page.
      </p>
      {/* Said quietly, not as an alert taking the focus: a token may read applications but not custom pages, and the rest of the page works. */}
      {error !== undefined && <p class="hint">The custom pages could not be read ({describeError(error)}): the application keeps the pages it chooses.</p>}
    </>
  );
}
