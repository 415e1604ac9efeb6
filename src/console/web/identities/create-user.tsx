/** The form that creates an IAM user; IAM's complaint about the name is shown beside it. */
import { useState } from 'preact/hooks';
import { api } from '../client.js';
import { useNotices } from '../notices.js';
import { fieldError } from './field-error.js';

export function CreateUserForm({ onCreated }: { onCreated: () => Promise<void> }) {
  const { report, notify } = useNotices();
  const [name, setName] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const user = await api.createIamUser(name.trim());
      notify(`Created user ${user.name}`);
      setName('');
      await onCreated();
    } catch (caught) {
      const message = fieldError(caught, 'userName');
      if (message === null) report(caught);
      else setError(message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form class="card toolbar" onSubmit={(event) => void submit(event)}>
      <div class="field grow">
        <label for="iam-new-user">New user name</label>
        <input
          id="iam-new-user"
          data-testid="iam-new-user"
          value={name}
          required
          maxLength={64}
          autoComplete="off"
          aria-invalid={error === null ? undefined : true}
          aria-describedby={error === null ? undefined : 'iam-new-user-error'}
          onInput={(event) => setName(event.currentTarget.value)}
        />
      </div>
      <button type="submit" class="primary" data-testid="iam-create-user" disabled={busy}>
        Create user
      </button>
      {error === null ? null : (
        <p class="field-error" id="iam-new-user-error" data-testid="iam-new-user-error">
          {error}
        </p>
      )}
    </form>
  );
}
