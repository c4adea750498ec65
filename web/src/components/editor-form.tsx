// The frame every editor shares: the notes summaries (errors refuse the save, warnings come
// with a successful one), request failures, a status line, the submit button, extra actions
// and a delete button that asks first. While the form holds unsaved changes, leaving the page
// (a link, Back, closing or reloading the tab) asks first.

import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { guardLeaving } from '../router.js';
import { ErrorBanner } from './common.js';
import { ConfirmDialog } from './modal.js';
import { NotesProvider, NotesSummary } from './notes.js';
import type { SaveState } from './save-state.js';
import { SubmitButton } from './submit-button.js';

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

export function EditorForm({
  what,
  save,
  dirty,
  isNew,
  onSubmit,
  onDelete,
  actions,
  errorHelp,
  submitLabel,
  children,
}: {
  /** "policy", "Access group", ... */
  what: string;
  save: SaveState;
  /** Whether the form differs from what the server holds (undefined: the page guards itself). */
  dirty?: boolean;
  isNew: boolean;
  onSubmit: () => void;
  onDelete?: () => void;
  actions?: ComponentChildren;
  /** What the user can do about a failed request, shown after its message (undefined: nothing). */
  errorHelp?: (error: unknown) => ComponentChildren;
  /** What the submit button says when "Create <what>" would not say what it does, and while it works. */
  submitLabel?: { readonly idle: string; readonly busy: string };
  children: ComponentChildren;
}) {
  const [confirming, setConfirming] = useState(false);
  const question = dirty === true ? `The changes to this ${what} are not saved. Leave without saving them?` : undefined;
  useEffect(() => (question === undefined ? undefined : guardLeaving(() => question)), [question]);
  const errors = save.notes.filter((n) => n.severity === 'error');
  const warnings = save.notes.filter((n) => n.severity === 'warning');
  return (
    <NotesProvider notes={save.notes}>
      <form
        class="editor"
        noValidate
        onSubmit={(event) => {
          event.preventDefault();
          if (!save.saving) onSubmit();
        }}
      >
        <NotesSummary notes={errors} title={`The ${what} was not saved: ${plural(errors.length, 'problem')}`} />
        <NotesSummary notes={warnings} title={`Saved with ${plural(warnings.length, 'warning')}`} />
        <ErrorBanner error={save.error} title="The request failed">
          {save.error !== undefined ? errorHelp?.(save.error) : undefined}
        </ErrorBanner>
        <p class="status" role="status">
          {save.saved}
        </p>
        {children}
        <div class="form-actions">
          <SubmitButton busy={save.saving} busyLabel={submitLabel?.busy ?? 'Saving…'}>
            {submitLabel?.idle ?? (isNew ? `Create ${what}` : `Save ${what}`)}
          </SubmitButton>
          {actions}
          {onDelete !== undefined && !isNew && (
            <button type="button" class="danger" onClick={() => setConfirming(true)}>
              Delete {what}
            </button>
          )}
        </div>
      </form>
      {confirming && onDelete !== undefined && (
        <ConfirmDialog
          title={`Delete this ${what}?`}
          message={`The ${what} will be deleted. The server refuses while something still uses it.`}
          confirmLabel="Delete"
          onConfirm={() => {
            setConfirming(false);
            onDelete();
          }}
          onClose={() => setConfirming(false)}
        />
      )}
    </NotesProvider>
  );
}
