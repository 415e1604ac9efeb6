/**
 * A user's access keys: create (the secret goes to the one-time dialog), deactivate and
 * activate, delete. As in AWS's console, only an inactive key can be deleted: deactivating
 * first shows what breaks while it can still be undone.
 */
import { useState } from 'preact/hooks';
import type { CreatedAccessKey, IamAccessKeyView, IamUserView } from '../../api-types.js';
import { Badge } from '../components/badge.js';
import { api } from '../client.js';
import { formatDateTime } from '../format.js';
import { useNotices } from '../notices.js';

/** IAM's quota of access keys per user. */
const KEYS_PER_USER = 2;

interface Props {
  user: IamUserView;
  onChanged: () => Promise<void>;
  onKeyCreated: (key: CreatedAccessKey) => void;
}

export function AccessKeys({ user, onChanged, onKeyCreated }: Props) {
  const { report, notify } = useNotices();
  const [busy, setBusy] = useState(false);

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

  const create = () =>
    act(async () => {
      onKeyCreated(await api.createAccessKey(user.name));
    });
  const setStatus = (key: IamAccessKeyView, status: IamAccessKeyView['status']) =>
    act(async () => {
      await api.setAccessKeyStatus(user.name, key.accessKeyId, status);
      notify(`${status === 'Active' ? 'Activated' : 'Deactivated'} key ${key.accessKeyId}`);
    });
  const remove = (key: IamAccessKeyView) =>
    act(async () => {
      await api.deleteAccessKey(user.name, key.accessKeyId);
      notify(`Deleted key ${key.accessKeyId}`);
    });

  const full = user.accessKeys.length >= KEYS_PER_USER;
  return (
    <section class="iam-part" aria-label={`Access keys of ${user.name}`}>
      <div class="section-head">
        <h4>Access keys</h4>
        <button
          type="button"
          class="secondary small"
          data-testid="iam-create-key"
          disabled={busy || user.declared || full}
          title={full ? `IAM allows ${KEYS_PER_USER} keys per user` : undefined}
          onClick={() => void create()}
        >
          Create access key
        </button>
      </div>
      {user.accessKeys.length === 0 ? (
        <p class="empty">No access keys.</p>
      ) : (
        <div class="table-wrap">
          <table class="compact" data-testid="iam-keys">
            <thead>
              <tr>
                <th scope="col">Access key id</th>
                <th scope="col">Status</th>
                <th scope="col">Created</th>
                <th scope="col">Last used</th>
                <th scope="col">
                  <span class="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {user.accessKeys.map((key) => (
                <tr
                  key={key.accessKeyId}
                  data-testid="iam-key"
                  data-id={key.accessKeyId}
                  data-status={key.status}
                >
                  <th scope="row" class="key">
                    {key.accessKeyId}
                  </th>
                  <td>
                    <Badge tone={key.status === 'Active' ? 'ok' : 'neutral'}>{key.status}</Badge>
                  </td>
                  <td>{formatDateTime(key.createdAt)}</td>
                  <td>
                    {key.lastUsedAt === null
                      ? 'Never'
                      : `${formatDateTime(key.lastUsedAt)}${key.lastUsedService === null ? '' : ` (${key.lastUsedService})`}`}
                  </td>
                  <td class="row-actions">
                    <button
                      type="button"
                      class="secondary small"
                      data-testid={
                        key.status === 'Active' ? 'iam-key-deactivate' : 'iam-key-activate'
                      }
                      disabled={busy || user.declared}
                      onClick={() =>
                        void setStatus(key, key.status === 'Active' ? 'Inactive' : 'Active')
                      }
                    >
                      {key.status === 'Active' ? 'Deactivate' : 'Activate'}
                    </button>
                    <button
                      type="button"
                      class="secondary small"
                      data-testid="iam-key-delete"
                      aria-label={`Delete key ${key.accessKeyId}`}
                      title={key.status === 'Active' ? 'Deactivate the key first' : undefined}
                      disabled={busy || user.declared || key.status === 'Active'}
                      onClick={() => void remove(key)}
                    >
                      Delete
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
