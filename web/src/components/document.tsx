// The document an editor works on: given at once (a new one, or edits kept from before), or
// loaded by id; pages show <Pending> until it is there, or why it cannot be. It knows whether it
// differs from the saved version, so that the editor can ask before that work is left behind.

import { useEffect, useState } from 'preact/hooks';
import { ErrorBanner, Link, Loading, PageTitle } from './common.js';

export interface EditedDocument<T> {
  readonly value: T | undefined;
  readonly error: unknown;
  /** Whether the value differs from the version last loaded or saved. */
  readonly dirty: boolean;
  /** The version last loaded or saved (a new document: the blank it began as); undefined when not known (edits kept from before). */
  readonly savedValue: T | undefined;
  set(value: T): void;
  /** The server now holds `value` (a save answered it): it is the new unedited version. */
  saved(value: T): void;
}

/**
 * `initial` when defined; otherwise the document `load` gives for `id`. `initialUnsaved` says
 * `initial` is edits kept from before (not what the server holds), so it counts as unsaved.
 */
export function useDocument<T>(id: string | undefined, initial: T | undefined, load: (id: string) => Promise<T>, initialUnsaved = false): EditedDocument<T> {
  const [value, set] = useState<T | undefined>(initial);
  // The saved version: what "unchanged" compares with (undefined: not known, so unsaved).
  const [baseline, setBaseline] = useState<T | undefined>(() => (initial !== undefined && !initialUnsaved ? initial : undefined));
  const [error, setError] = useState<unknown>(undefined);
  useEffect(() => {
    if (initial !== undefined || id === undefined) return;
    load(id).then((loaded) => {
      setBaseline(loaded);
      set(loaded);
    }, (err: unknown) => setError(err));
  }, [id]);
  const saved = (next: T): void => {
    setBaseline(next);
    set(next);
  };
  const dirty = value !== undefined && (baseline === undefined || JSON.stringify(value) !== JSON.stringify(baseline));
  return { value, error, dirty, savedValue: baseline, set, saved };
}

/**
 * The page while its document loads, or why it could not (deleted, an unknown id, a failed
 * request): a page of its own, with a heading, the tab's title and the way back to `back`.
 */
export function Pending({ error, what, back }: { error: unknown; what: string; back: { href: string; label: string } }) {
  if (error === undefined) return <Loading what={what} />;
  const title = `${what[0].toUpperCase()}${what.slice(1)} could not be loaded`;
  return (
    <>
      <PageTitle>{title}</PageTitle>
      <p>
        <Link href={back.href}>{back.label}</Link>
      </p>
      <ErrorBanner error={error} title={title} />
    </>
  );
}
