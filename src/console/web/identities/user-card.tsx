/** One IAM user: who it is, its access keys, its policies, and deleting it. */
import { useState } from 'preact/hooks';
import type { CreatedAccessKey, IamUserView, ManagedPoliciesResponse } from '../../api-types.js';
import { Badge } from '../components/badge.js';
import { api } from '../client.js';
import { formatDateTime } from '../format.js';
import { useNotices } from '../notices.js';
import { AccessKeys } from './access-keys.js';
import { AttachedPolicies } from './attached-policies.js';
import { DeleteUserDialog } from './delete-user-dialog.js';
import { InlinePolicies } from './inline-policies.js';

export interface UserCardProps {
  user: IamUserView;
  managed: ManagedPoliciesResponse['policies'];
  onChanged: () => Promise<void>;
  onKeyCreated: (key: CreatedAccessKey) => void;
}

export function UserCard({ user, managed, onChanged, onKeyCreated }: UserCardProps) {
  const { report, notify } = useNotices();
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const headingId = `iam-user-${user.name.replace(/[^A-Za-z0-9_-]/g, '-')}`;

  const remove = async (withKeysAndPolicies: boolean) => {
    setBusy(true);
    try {
      await api.deleteIamUser(user.name, withKeysAndPolicies);
      setConfirming(false);
      notify(`Deleted user ${user.name}`);
      await onChanged();
    } catch (error) {
      setConfirming(false);
      report(error);
    } finally {
      setBusy(false);
    }
  };

  return (
    <article
      class="card iam-user"
      data-testid="iam-user"
      data-name={user.name}
      aria-labelledby={headingId}
    >
      <header class="iam-head">
        <h3 id={headingId} class="key">
          {user.name}
        </h3>
        {user.declared ? <Badge tone="neutral">From config file</Badge> : null}
        <button
          type="button"
          class="secondary small push-end"
          data-testid="iam-delete-user"
          disabled={busy || user.declared}
          onClick={() => setConfirming(true)}
        >
          Delete user
        </button>
      </header>
      <dl class="iam-facts">
        <dt>ARN</dt>
        <dd>
          <code data-testid="iam-user-arn">{user.arn}</code>
        </dd>
        <dt>Created</dt>
        <dd>{formatDateTime(user.createdAt)}</dd>
      </dl>
      {user.declared ? (
        <p class="muted">
          Declared in Vigil's config file (<code>iam.users</code>): change it there.
        </p>
      ) : null}
      <AccessKeys user={user} onChanged={onChanged} onKeyCreated={onKeyCreated} />
      <InlinePolicies user={user} onChanged={onChanged} />
      <AttachedPolicies user={user} managed={managed} onChanged={onChanged} />
      <DeleteUserDialog
        open={confirming}
        user={user}
        busy={busy}
        onDelete={(withKeysAndPolicies) => void remove(withKeysAndPolicies)}
        onCancel={() => setConfirming(false)}
      />
    </article>
  );
}
