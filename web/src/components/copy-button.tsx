// A button that copies a text to the clipboard and says so. The Clipboard API needs a secure
// context (https, or localhost); a dashboard reached over plain http on another address falls
// back to the older copy command, and failing that tells the user to copy by hand.

import { useEffect, useState } from 'preact/hooks';

async function copyText(text: string): Promise<boolean> {
  try {
    if (navigator.clipboard !== undefined && window.isSecureContext) {
      await navigator.clipboard.writeText(text);
      return true;
    }
  } catch {
    // Refused (no permission, document not focused): try the older way.
  }
  const active = document.activeElement;
  const area = document.createElement('textarea');
  area.value = text;
  area.setAttribute('readonly', '');
  area.style.position = 'fixed';
  area.style.opacity = '0';
  document.body.append(area);
  area.select();
  try {
    return document.execCommand('copy');
  } catch {
    return false;
  } finally {
    area.remove();
    if (active instanceof HTMLElement) active.focus();
  }
}

/** "Copy" for `text`; `label` names what is copied for screen readers ("Copy the nginx configuration"). */
export function CopyButton({ text, label }: { text: string; label: string }) {
  const [state, setState] = useState<'idle' | 'copied' | 'failed'>('idle');
  // A new text has not been copied yet.
  useEffect(() => setState('idle'), [text]);
  return (
    <span class="copy">
      <button
        type="button"
        aria-label={label}
        data-copied={state === 'copied' ? 'true' : undefined}
        onClick={() => {
          void copyText(text).then((ok) => setState(ok ? 'copied' : 'failed'));
        }}
      >
        {state === 'copied' ? 'Copied' : 'Copy'}
      </button>
      <span role="status" class="copy-status">
        {state === 'copied' ? 'Copied to the clipboard.' : state === 'failed' ? 'The browser refused to copy: select the text and press Ctrl+C (⌘C).' : ''}
      </span>
    </span>
  );
}
