// Validation errors and lint warnings, each tied to a JSON pointer into the document being
// edited (/include/0/email/email): fields show the notes at or below their pointer, and a
// summary lists them all with a way to jump to the field concerned.

import { createContext, type ComponentChildren } from 'preact';
import { useContext } from 'preact/hooks';
import type { EnvelopeMessage } from '../api/client.js';
import { describePointer } from '../rules/labels.js';
import { formatCount, useReveal } from './common.js';

export interface Note {
  readonly pointer: string;
  readonly message: string;
  readonly severity: 'error' | 'warning';
}

export function notesFrom(messages: readonly EnvelopeMessage[], severity: Note['severity']): Note[] {
  return messages.map((m) => ({ pointer: m.source?.pointer ?? '', message: m.message, severity }));
}

const NotesContext = createContext<readonly Note[]>([]);

export function NotesProvider({ notes, children }: { notes: readonly Note[]; children: ComponentChildren }) {
  return <NotesContext.Provider value={notes}>{children}</NotesContext.Provider>;
}

/** Notes exactly at `pointer`, or (with `below`) at it and anywhere under it. */
export function useNotes(pointer: string, below = true): Note[] {
  const notes = useContext(NotesContext);
  return notes.filter((n) => n.pointer === pointer || (below && n.pointer.startsWith(`${pointer}/`)));
}

/** The DOM id of the control editing `pointer`. */
export const fieldId = (pointer: string): string => `field${pointer.replace(/[^A-Za-z0-9]/g, '-')}`;
export const notesId = (pointer: string): string => `${fieldId(pointer)}-notes`;

/**
 * How many notes a list shows. An import with a mistake on each of 5,000 lines answers 5,000
 * errors: the first few tell what is wrong, the rest only make the page (and what a screen reader
 * reads for the field) endless.
 */
export const NOTES_SHOWN = 10;

/** "…and 4,990 more.", or nothing when every note is shown. */
function MoreNotes({ notes }: { notes: readonly Note[] }) {
  const more = notes.length - NOTES_SHOWN;
  return more > 0 ? <li class="more-notes">…and {formatCount(more)} more.</li> : null;
}

export function FieldNotes({ id, notes }: { id: string; notes: readonly Note[] }) {
  if (notes.length === 0) return null;
  return (
    <ul class="field-notes" id={id}>
      {notes.slice(0, NOTES_SHOWN).map((n, i) => (
        <li key={i} class={`note note-${n.severity}`} data-note-pointer={n.pointer}>
          <span class="note-label">{n.severity === 'error' ? 'Error: ' : 'Warning: '}</span>
          {n.message}
        </li>
      ))}
      <MoreNotes notes={notes} />
    </ul>
  );
}

/** Focus the control for `pointer`, or of the nearest enclosing part of the document. */
export function focusPointer(pointer: string): void {
  for (let p = pointer; ; p = p.slice(0, p.lastIndexOf('/'))) {
    const target = document.querySelector<HTMLElement>(`[data-pointer="${CSS.escape(p)}"]`);
    if (target !== null) {
      target.focus();
      target.scrollIntoView({ block: 'center' });
      return;
    }
    if (p === '') return;
  }
}

/** The label the page shows for the control editing `pointer`, if it has one. */
function shownLabel(pointer: string): string | undefined {
  const control = document.querySelector<HTMLElement>(`[data-pointer="${CSS.escape(pointer)}"]`);
  if (control === null) return undefined;
  const text =
    control instanceof HTMLFieldSetElement
      ? control.querySelector('legend')?.textContent
      : ((control as HTMLInputElement).labels?.[0]?.textContent ?? control.getAttribute('aria-label'));
  const label = text?.trim();
  return label === undefined || label === '' ? undefined : label;
}

export function NotesSummary({ notes, title }: { notes: readonly Note[]; title: string }) {
  const errors = notes.some((n) => n.severity === 'error');
  // Errors stopped the action: show them where the user is looking. Warnings stay where they are.
  const summary = useReveal<HTMLElement>(errors ? JSON.stringify(notes) : undefined);
  if (notes.length === 0) return null;
  return (
    <section class={`summary ${errors ? 'summary-error' : 'summary-warning'}`} role={errors ? 'alert' : 'status'} aria-label={title} tabIndex={-1} ref={summary}>
      <h2>{title}</h2>
      <ul>
        {notes.slice(0, NOTES_SHOWN).map((n, i) => (
          <li key={i}>
            <button type="button" class="link" onClick={() => focusPointer(n.pointer)}>
              {describePointer(n.pointer, shownLabel)}
            </button>
            : {n.message}
          </li>
        ))}
        <MoreNotes notes={notes} />
      </ul>
    </section>
  );
}
