// Saving a document through the API: the 400 envelope's errors become notes on the fields
// they point at, a success's lint warnings become warning notes, anything else a banner.
// After a failed attempt, the engine's own checks run on every edit so that fixing a field
// clears its error at once.

import { useState } from 'preact/hooks';
import { ApiFailure, type ApiAnswer } from '../api/client.js';
import { notesFrom, type Note } from './notes.js';

/**
 * Whether two request bodies are the same: both built by the same function from the form (what
 * was loaded, and what is edited), so equal JSON means a save would send nothing new.
 */
export const sameRequest = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

export interface SaveState {
  readonly notes: readonly Note[];
  readonly error: unknown;
  readonly saving: boolean;
  /** A short confirmation after a successful save. */
  readonly saved: string | undefined;
  /** `done` is the confirmation, or makes it from the answer (when the server may do less than asked). */
  save<T>(run: () => Promise<ApiAnswer<T>>, done: string | ((result: T) => string)): Promise<T | undefined>;
  /** Report the client-side check of the edited document (used after a failed attempt). */
  recheck(issues: readonly { pointer: string; message: string }[]): void;
  /** Nothing was sent, as nothing changed: say so (`message`) where a save would be confirmed. */
  unchanged(message: string): void;
  /** Refuse to send: the dashboard itself found these problems (JSON that does not parse). */
  refuse(issues: readonly { pointer: string; message: string }[]): void;
  reset(): void;
}

export function useSaveState(): SaveState {
  const [notes, setNotes] = useState<readonly Note[]>([]);
  const [error, setError] = useState<unknown>(undefined);
  const [saving, setSaving] = useState(false);
  const [saved, setSaved] = useState<string | undefined>(undefined);
  const [attempted, setAttempted] = useState(false);

  return {
    notes,
    error,
    saving,
    saved,
    async save(run, done) {
      setSaving(true);
      setError(undefined);
      setSaved(undefined);
      try {
        const answer = await run();
        setAttempted(false);
        setNotes(notesFrom(answer.messages, 'warning'));
        setSaved(typeof done === 'string' ? done : done(answer.result));
        return answer.result;
      } catch (err) {
        setAttempted(true);
        if (err instanceof ApiFailure && err.status === 400 && err.errors.some((e) => e.source !== undefined)) setNotes(notesFrom(err.errors, 'error'));
        else {
          setNotes([]);
          setError(err);
        }
        return undefined;
      } finally {
        setSaving(false);
      }
    },
    recheck(issues) {
      setSaved(undefined);
      if (!attempted) {
        // Warnings describe the saved version; an edit makes them stale.
        if (notes.length > 0) setNotes([]);
        return;
      }
      setNotes(issues.map((i) => ({ pointer: i.pointer, message: i.message, severity: 'error' })));
    },
    unchanged(message) {
      setNotes([]);
      setError(undefined);
      setAttempted(false);
      setSaved(message);
    },
    refuse(issues) {
      setAttempted(true);
      setSaved(undefined);
      setNotes(issues.map((i) => ({ pointer: i.pointer, message: i.message, severity: 'error' })));
    },
    reset() {
      setNotes([]);
      setError(undefined);
      setSaved(undefined);
      setAttempted(false);
    },
  };
}
