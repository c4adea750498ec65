// Drawers and dialogs on the native <dialog> element opened with showModal(): the page behind
// becomes inert, focus moves inside and Escape closes. Focus returns to whatever opened it.

import type { ComponentChildren } from 'preact';
import { useEffect, useId, useRef } from 'preact/hooks';

export function Modal({
  title,
  onClose,
  children,
  variant = 'drawer',
  footer,
}: {
  title: string;
  onClose: () => void;
  children: ComponentChildren;
  variant?: 'drawer' | 'dialog';
  footer?: ComponentChildren;
}) {
  const dialog = useRef<HTMLDialogElement>(null);
  const headingId = useId();
  useEffect(() => {
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    const element = dialog.current!;
    element.showModal();
    element.querySelector<HTMLElement>('[data-autofocus]')?.focus();
    return () => {
      if (element.open) element.close();
      if (opener?.isConnected) opener.focus();
    };
  }, []);
  return (
    <dialog
      ref={dialog}
      class={variant}
      aria-labelledby={headingId}
      onCancel={(event) => {
        event.preventDefault();
        onClose();
      }}
      onClick={(event) => {
        // A click on the backdrop (the dialog element itself, outside its content) closes it.
        if (event.target === dialog.current) onClose();
      }}
    >
      <div class="modal-body">
        <header class="modal-header">
          <h2 id={headingId}>{title}</h2>
          <button type="button" class="close" onClick={onClose} data-autofocus aria-label={`Close ${title}`}>
            ×
          </button>
        </header>
        <div class="modal-content">{children}</div>
        {footer !== undefined && <footer class="modal-footer">{footer}</footer>}
      </div>
    </dialog>
  );
}

/** Ask before something irreversible; `onConfirm` runs the action. */
export function ConfirmDialog({ title, message, confirmLabel, onConfirm, onClose }: { title: string; message: string; confirmLabel: string; onConfirm: () => void; onClose: () => void }) {
  return (
    <Modal
      title={title}
      onClose={onClose}
      variant="dialog"
      footer={
        <>
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          <button type="button" class="danger" onClick={onConfirm}>
            {confirmLabel}
          </button>
        </>
      }
    >
      <p>{message}</p>
    </Modal>
  );
}
