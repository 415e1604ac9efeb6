import { useEffect, useRef, useState } from 'preact/hooks';
import type { CreatedAccessKey } from '../../api-types.js';

/**
 * A new access key's secret, shown this once: the server keeps it sealed and never sends it
 * again. Closing the dialog drops it from the page's memory too; Escape does not close it.
 */
export function SecretDialog({
  secret,
  onClose,
}: {
  secret: CreatedAccessKey | null;
  onClose: () => void;
}) {
  const dialog = useRef<HTMLDialogElement>(null);
  const copyButton = useRef<HTMLButtonElement>(null);
  const [copied, setCopied] = useState<'no' | 'yes' | 'failed'>('no');

  useEffect(() => {
    const element = dialog.current;
    if (element === null) return;
    if (secret !== null && !element.open) {
      setCopied('no');
      element.showModal();
      copyButton.current?.focus();
    } else if (secret === null && element.open) {
      element.close();
    }
  }, [secret]);

  const copy = async () => {
    if (secret === null) return;
    try {
      await navigator.clipboard.writeText(secret.secretAccessKey);
      setCopied('yes');
    } catch {
      setCopied('failed');
    }
  };

  return (
    <dialog
      ref={dialog}
      class="confirm secret"
      aria-labelledby="secret-title"
      aria-describedby="secret-warning"
      data-testid="secret-dialog"
      // Escape would lose the secret by accident: only "I have saved it" closes the dialog.
      onCancel={(event) => event.preventDefault()}
      onClose={onClose}
    >
      {secret === null ? null : (
        <>
          <h2 id="secret-title">Access key for {secret.userName}</h2>
          <p id="secret-warning" class="warning" data-testid="secret-warning">
            This is the only time the secret access key is shown. Copy it now and keep it somewhere
            safe: it will not be shown again. If it is lost, create a new key.
          </p>
          <dl class="key-pair">
            <dt>Access key id</dt>
            <dd>
              <code data-testid="secret-access-key-id">{secret.accessKeyId}</code>
            </dd>
            <dt>Secret access key</dt>
            <dd>
              <code data-testid="secret-access-key">{secret.secretAccessKey}</code>
            </dd>
          </dl>
          <p class="muted" role="status" data-testid="secret-copied">
            {copied === 'yes'
              ? 'Secret copied to the clipboard.'
              : copied === 'failed'
                ? 'The browser refused the clipboard: select the secret and copy it by hand.'
                : ''}
          </p>
          <div class="actions">
            <button
              type="button"
              ref={copyButton}
              class="secondary"
              data-testid="secret-copy"
              onClick={() => void copy()}
            >
              Copy secret
            </button>
            <button type="button" class="primary" data-testid="secret-close" onClick={onClose}>
              I have saved it
            </button>
          </div>
        </>
      )}
    </dialog>
  );
}
