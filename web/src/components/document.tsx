// The document an editor works on: given at once (a new one, or edits kept from before), or
// loaded by id; pages show <Pending> until it is there.

import { useEffect, useState } from 'preact/hooks';
import { ErrorBanner, Loading } from './common.js';

export interface EditedDocument<T> {
  readonly value: T | undefined;
  readonly error: unknown;
  set(value: T): void;
}

/** `initial` when defined; otherwise the document `load` gives for `id`. */
export function useDocument<T>(id: string | undefined, initial: T | undefined, load: (id: string) => Promise<T>): EditedDocument<T> {
  const [value, set] = useState<T | undefined>(initial);
  const [error, setError] = useState<unknown>(undefined);
  useEffect(() => {
    if (initial !== undefined || id === undefined) return;
    load(id).then(set, (err: unknown) => setError(err));
  }, [id]);
  return { value, error, set };
}

export function Pending({ error, what }: { error: unknown; what: string }) {
  return error !== undefined ? <ErrorBanner error={error} title={`${what[0].toUpperCase()}${what.slice(1)} could not be loaded`} /> : <Loading what={what} />;
}
