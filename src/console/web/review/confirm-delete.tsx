import { useEffect, useRef } from 'preact/hooks';

interface Props {
  open: boolean;
  objectKey: string;
  onConfirm: () => void;
  onCancel: () => void;
}

/**
 * A modal confirmation for the one decision that cannot be undone. Focus starts on Cancel,
 * the least destructive choice; Escape cancels.
 */
export function ConfirmDelete({ open, objectKey, onConfirm, onCancel }: Props) {
  const dialog = useRef<HTMLDialogElement>(null);
  const cancel = useRef<HTMLButtonElement>(null);

  useEffect(() => {
    const element = dialog.current;
    if (element === null) return;
    if (open && !element.open) {
      element.showModal();
      cancel.current?.focus();
    } else if (!open && element.open) {
      element.close();
    }
  }, [open]);

  return (
    <dialog
      ref={dialog}
      class="confirm"
      aria-labelledby="confirm-delete-title"
      aria-describedby="confirm-delete-text"
      data-testid="confirm-dialog"
      onClose={onCancel}
    >
      <h2 id="confirm-delete-title">Delete this object?</h2>
      <p id="confirm-delete-text">
        <code>{objectKey}</code> will be deleted from its bucket. This cannot be undone.
      </p>
      <div class="actions">
        <button type="button" ref={cancel} class="secondary" onClick={onCancel}>
          Cancel
        </button>
        <button type="button" class="danger" data-testid="confirm-delete" onClick={onConfirm}>
          Delete
        </button>
      </div>
    </dialog>
  );
}
