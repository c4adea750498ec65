// A form's submit button. While its request runs it says so and ignores presses, but it is not
// `disabled`: disabling the focused button drops keyboard focus to <body>, and the keyboard or
// screen-reader user loses their place in the page. aria-disabled says it is unavailable and
// keeps the focus where it was.

import type { ComponentChildren } from 'preact';

export function SubmitButton({
  busy,
  busyLabel,
  disabled = false,
  children,
}: {
  /** The request it sent is running: presses are ignored. */
  busy: boolean;
  /** What the button reads while busy ("Saving…"). */
  busyLabel: string;
  /** Nothing to submit yet (no press could have focused it for a request). */
  disabled?: boolean;
  children: ComponentChildren;
}) {
  return (
    <button
      type="submit"
      class="primary"
      disabled={disabled}
      aria-disabled={busy ? 'true' : undefined}
      // Enter in a field submits the form through a click on this button too, so one check covers both.
      onClick={(event) => {
        if (busy) event.preventDefault();
      }}
    >
      {busy ? busyLabel : children}
    </button>
  );
}
