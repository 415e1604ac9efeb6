import { useEffect, useRef } from 'preact/hooks';
import type { IamUserView } from '../../api-types.js';

interface Props {
  open: boolean;
  user: IamUserView;
  busy: boolean;
  onDelete: (withKeysAndPolicies: boolean) => void;
  onCancel: () => void;
}

/**
 * Deleting a user. IAM refuses while it has keys or policies; when it has any, the dialog
 * says which and offers to remove them first. Focus starts on Cancel; Escape cancels.
 */
export function DeleteUserDialog({ open, user, busy, onDelete, onCancel }: Props) {
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

  const keys = user.accessKeys.length;
  const policies = user.inlinePolicies.length + user.attachedPolicies.length;
  const attached = [
    keys === 0 ? null : `${keys} access ${keys === 1 ? 'key' : 'keys'}`,
    policies === 0 ? null : `${policies} ${policies === 1 ? 'policy' : 'policies'}`,
  ].filter((part) => part !== null);
  const textId = `delete-user-text-${user.name.replace(/[^A-Za-z0-9_-]/g, '-')}`;

  return (
    <dialog
      ref={dialog}
      class="confirm"
      aria-label={`Delete user ${user.name}?`}
      aria-describedby={textId}
      data-testid="iam-delete-dialog"
      onClose={onCancel}
    >
      <h2>Delete user {user.name}?</h2>
      <p id={textId}>
        {attached.length === 0
          ? 'Requests signed with its keys will be refused. This cannot be undone.'
          : `It still has ${attached.join(' and ')}. IAM deletes a user only once they are gone: delete them with it, and requests signed with its keys will be refused. This cannot be undone.`}
      </p>
      <div class="actions">
        <button type="button" ref={cancel} class="secondary" onClick={onCancel}>
          Cancel
        </button>
        <button
          type="button"
          class="danger"
          data-testid="iam-confirm-delete-user"
          disabled={busy}
          onClick={() => onDelete(attached.length > 0)}
        >
          {attached.length === 0 ? 'Delete user' : 'Delete with its keys and policies'}
        </button>
      </div>
    </dialog>
  );
}
