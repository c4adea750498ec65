// Labelled form controls bound to a JSON pointer: they show the notes at that pointer and can
// be focused from the notes summary.

import type { ComponentChildren } from 'preact';
import { FieldNotes, fieldId, notesId, useNotes } from './notes.js';

interface Bound {
  readonly label: string;
  readonly pointer: string;
  readonly hint?: string;
}

function useBinding(pointer: string, hint: string | undefined) {
  const notes = useNotes(pointer);
  const id = fieldId(pointer);
  const hintId = hint !== undefined ? `${id}-hint` : undefined;
  const describedBy = [hintId, notes.length > 0 ? notesId(pointer) : undefined].filter((x) => x !== undefined).join(' ') || undefined;
  return { id, notes, hintId, describedBy, invalid: notes.some((n) => n.severity === 'error') };
}

/** A field's hint and notes, below its control. */
function FieldFooter({ binding, hint, pointer }: { binding: ReturnType<typeof useBinding>; hint: string | undefined; pointer: string }) {
  return (
    <>
      {hint !== undefined && (
        <p class="hint" id={binding.hintId}>
          {hint}
        </p>
      )}
      <FieldNotes id={notesId(pointer)} notes={binding.notes} />
    </>
  );
}

/**
 * A text; `secret` hides what is typed and keeps the browser from filling in a saved password.
 * `rows` makes a multiline field that tall, and as wide as the page allows (a document, not a note).
 */
export function TextField({
  label,
  pointer,
  hint,
  value,
  onInput,
  multiline = false,
  secret = false,
  placeholder,
  rows,
}: Bound & { value: string; onInput: (value: string) => void; multiline?: boolean; secret?: boolean; placeholder?: string; rows?: number }) {
  const b = useBinding(pointer, hint);
  const common = { id: b.id, 'data-pointer': pointer, 'aria-invalid': b.invalid, 'aria-describedby': b.describedBy, placeholder };
  return (
    <div class="field">
      <label for={b.id}>{label}</label>
      {multiline ? (
        <textarea {...common} class={rows !== undefined ? 'document' : undefined} value={value} rows={rows ?? 4} spellcheck={rows !== undefined ? false : undefined} onInput={(e) => onInput(e.currentTarget.value)} />
      ) : secret ? (
        <input {...common} type="password" value={value} autocomplete="new-password" onInput={(e) => onInput(e.currentTarget.value)} />
      ) : (
        <input {...common} type="text" value={value} autocomplete="off" onInput={(e) => onInput(e.currentTarget.value)} />
      )}
      <FieldFooter binding={b} hint={hint} pointer={pointer} />
    </div>
  );
}

export function CheckboxField({ label, pointer, hint, checked, onChange }: Bound & { checked: boolean; onChange: (checked: boolean) => void }) {
  const b = useBinding(pointer, hint);
  return (
    <div class="field checkbox">
      <label>
        <input type="checkbox" id={b.id} data-pointer={pointer} checked={checked} aria-describedby={b.describedBy} onChange={(e) => onChange(e.currentTarget.checked)} />
        {label}
      </label>
      <FieldFooter binding={b} hint={hint} pointer={pointer} />
    </div>
  );
}

/** A group of checkboxes choosing several of `options`. */
export function ChoiceSet<T extends string>({ label, pointer, options, chosen, onChange }: { label: string; pointer: string; options: readonly T[]; chosen: readonly T[]; onChange: (chosen: T[]) => void }) {
  const b = useBinding(pointer, undefined);
  return (
    <fieldset class="field choices" data-pointer={pointer} tabIndex={-1} aria-describedby={b.describedBy}>
      <legend>{label}</legend>
      {options.map((option) => (
        <label key={option} class="inline">
          <input
            type="checkbox"
            checked={chosen.includes(option)}
            onChange={(e) => onChange(e.currentTarget.checked ? [...chosen, option] : chosen.filter((c) => c !== option))}
          />
          {option}
        </label>
      ))}
      <FieldNotes id={notesId(pointer)} notes={b.notes} />
    </fieldset>
  );
}

/** One of several options, as radio buttons. */
export function RadioGroup<T extends string>({ label, pointer, options, value, onChange }: { label: string; pointer: string; options: readonly { value: T; label: string; hint?: string }[]; value: T; onChange: (value: T) => void }) {
  const b = useBinding(pointer, undefined);
  return (
    <fieldset class="field radios" data-pointer={pointer} tabIndex={-1} aria-describedby={b.describedBy}>
      <legend>{label}</legend>
      {options.map((o) => (
        <label key={o.value} class="radio">
          <input type="radio" name={b.id} value={o.value} checked={value === o.value} onChange={() => onChange(o.value)} />
          <span>
            <strong>{o.label}</strong>
            {o.hint !== undefined && <span class="hint"> — {o.hint}</span>}
          </span>
        </label>
      ))}
      <FieldNotes id={notesId(pointer)} notes={b.notes} />
    </fieldset>
  );
}

export function Section({ title, children }: { title: string; children: ComponentChildren }) {
  return (
    <fieldset class="panel">
      <legend>{title}</legend>
      {children}
    </fieldset>
  );
}

export interface SelectOption<V extends string = string> {
  readonly value: V;
  readonly label: string;
}

/** Hands on the option the select now shows (a select can show only its options' values). */
function chosen<V extends string>(options: readonly SelectOption<V>[], value: string, onChange: (value: V) => void): void {
  const option = options.find((o) => o.value === value);
  if (option !== undefined) onChange(option.value);
}

/** A choice among `options`; `onChange` gets the chosen option's value, typed as the options are. */
export function SelectField<V extends string>({
  label,
  pointer,
  hint,
  value,
  options,
  onChange,
  disabled = false,
}: Bound & { value: V; options: readonly SelectOption<V>[]; onChange: (value: V) => void; disabled?: boolean }) {
  const b = useBinding(pointer, hint);
  return (
    <div class="field">
      <label for={b.id}>{label}</label>
      <select id={b.id} data-pointer={pointer} value={value} disabled={disabled} aria-invalid={b.invalid} aria-describedby={b.describedBy} onChange={(e) => chosen(options, e.currentTarget.value, onChange)}>
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
      <FieldFooter binding={b} hint={hint} pointer={pointer} />
    </div>
  );
}
