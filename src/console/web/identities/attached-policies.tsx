/** A user's attached managed policies: attach one from the list Vigil knows, detach one. */
import { useState } from 'preact/hooks';
import type { IamUserView, ManagedPoliciesResponse } from '../../api-types.js';
import { api } from '../client.js';
import { useNotices } from '../notices.js';

interface Props {
  user: IamUserView;
  managed: ManagedPoliciesResponse['policies'];
  onChanged: () => Promise<void>;
}

export function AttachedPolicies({ user, managed, onChanged }: Props) {
  const { report, notify } = useNotices();
  const [chosen, setChosen] = useState('');
  const [busy, setBusy] = useState(false);
  const selectId = `iam-${user.name.replace(/[^A-Za-z0-9_-]/g, '-')}-attach`;
  const attachable = managed.filter((policy) => !user.attachedPolicies.includes(policy.arn));

  const act = async (work: () => Promise<void>) => {
    setBusy(true);
    try {
      await work();
      await onChanged();
    } catch (error) {
      report(error);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section class="iam-part" aria-label={`Attached policies of ${user.name}`}>
      <h4>Attached managed policies</h4>
      {user.attachedPolicies.length === 0 ? (
        <p class="empty">No attached policies.</p>
      ) : (
        <ul class="iam-list">
          {user.attachedPolicies.map((arn) => (
            <li key={arn} data-testid="iam-attached-policy" data-arn={arn}>
              <code>{arn}</code>
              <button
                type="button"
                class="secondary small"
                data-testid="iam-policy-detach"
                aria-label={`Detach ${arn}`}
                disabled={busy || user.declared}
                onClick={() =>
                  void act(async () => {
                    await api.detachPolicy(user.name, arn);
                    notify(`Detached ${arn} from ${user.name}`);
                  })
                }
              >
                Detach
              </button>
            </li>
          ))}
        </ul>
      )}
      {user.declared ? null : (
        <form
          class="iam-attach"
          onSubmit={(event) => {
            event.preventDefault();
            const arn = chosen;
            void act(async () => {
              await api.attachPolicy(user.name, arn);
              notify(`Attached ${arn} to ${user.name}`);
              setChosen('');
            });
          }}
        >
          <div class="field grow">
            <label for={selectId}>Managed policy</label>
            <select
              id={selectId}
              data-testid="iam-attach-select"
              value={chosen}
              required
              onChange={(event) => setChosen(event.currentTarget.value)}
            >
              <option value="">Choose a policy…</option>
              {attachable.map((policy) => (
                <option key={policy.arn} value={policy.arn} title={policy.description ?? ''}>
                  {policy.name}
                  {policy.awsManaged ? ' (AWS managed)' : ''}
                </option>
              ))}
            </select>
          </div>
          <button
            type="submit"
            class="secondary small"
            data-testid="iam-attach"
            disabled={busy || chosen === ''}
          >
            Attach
          </button>
        </form>
      )}
    </section>
  );
}
