/**
 * A user's inline policies: view one, put one (new or replacing, as PutUserPolicy does) with
 * IAM's complaint about the document shown beside it, delete one.
 */
import { useState } from 'preact/hooks';
import type { IamUserView } from '../../api-types.js';
import { api } from '../client.js';
import { useNotices } from '../notices.js';
import { fieldError } from './field-error.js';
import { prettyPolicy } from './policy-text.js';

const EXAMPLE = `{
  "Version": "2012-10-17",
  "Statement": [
    { "Effect": "Allow", "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::my-bucket" }
  ]
}`;

interface Props {
  user: IamUserView;
  onChanged: () => Promise<void>;
}

export function InlinePolicies({ user, onChanged }: Props) {
  const { report, notify } = useNotices();
  const [name, setName] = useState('');
  const [document, setDocument] = useState('');
  const [errors, setErrors] = useState<{ policyName?: string; document?: string }>({});
  const [busy, setBusy] = useState(false);
  const [shown, setShown] = useState<{ policyName: string; document: string } | null>(null);
  const [editing, setEditing] = useState(false);
  const base = `iam-${user.name.replace(/[^A-Za-z0-9_-]/g, '-')}`;

  const view = async (policyName: string) => {
    if (shown?.policyName === policyName) {
      setShown(null);
      return;
    }
    try {
      const policy = await api.inlinePolicy('user', user.name, policyName);
      setShown({ policyName, document: prettyPolicy(policy.document) });
    } catch (error) {
      report(error);
    }
  };

  const edit = (policy: { policyName: string; document: string }) => {
    setName(policy.policyName);
    setDocument(policy.document);
    setErrors({});
    setEditing(true);
  };

  const save = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setErrors({});
    try {
      await api.putInlinePolicy(user.name, name.trim(), document);
      notify(`Saved policy ${name.trim()} of ${user.name}`);
      if (shown?.policyName === name.trim()) setShown(null);
      setName('');
      setDocument('');
      setEditing(false);
      await onChanged();
    } catch (error) {
      const policyName = fieldError(error, 'policyName');
      const documentError = fieldError(error, 'document');
      if (policyName === null && documentError === null) report(error);
      else
        setErrors({
          ...(policyName === null ? {} : { policyName }),
          ...(documentError === null ? {} : { document: documentError }),
        });
    } finally {
      setBusy(false);
    }
  };

  const remove = async (policyName: string) => {
    setBusy(true);
    try {
      await api.deleteInlinePolicy(user.name, policyName);
      notify(`Deleted policy ${policyName} of ${user.name}`);
      if (shown?.policyName === policyName) setShown(null);
      await onChanged();
    } catch (error) {
      report(error);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section class="iam-part" aria-label={`Inline policies of ${user.name}`}>
      <h4>Inline policies</h4>
      {user.inlinePolicies.length === 0 ? (
        <p class="empty">No inline policies.</p>
      ) : (
        <ul class="iam-list">
          {user.inlinePolicies.map((policyName) => (
            <li key={policyName} data-testid="iam-inline-policy" data-name={policyName}>
              <span class="key">{policyName}</span>
              <button
                type="button"
                class="secondary small"
                data-testid="iam-policy-view"
                aria-label={`View policy ${policyName}`}
                aria-expanded={shown?.policyName === policyName}
                onClick={() => void view(policyName)}
              >
                {shown?.policyName === policyName ? 'Hide' : 'View'}
              </button>
              <button
                type="button"
                class="secondary small"
                data-testid="iam-policy-delete"
                aria-label={`Delete policy ${policyName}`}
                disabled={busy || user.declared}
                onClick={() => void remove(policyName)}
              >
                Delete
              </button>
              {shown?.policyName !== policyName ? null : (
                <div class="iam-policy-shown">
                  <pre class="policy" data-testid="iam-policy-shown">
                    {shown.document}
                  </pre>
                  {user.declared ? null : (
                    <button
                      type="button"
                      class="secondary small"
                      data-testid="iam-policy-edit"
                      onClick={() => edit(shown)}
                    >
                      Edit
                    </button>
                  )}
                </div>
              )}
            </li>
          ))}
        </ul>
      )}
      {user.declared ? null : (
        <details
          class="iam-policy-editor"
          open={editing}
          onToggle={(event) => setEditing(event.currentTarget.open)}
        >
          <summary data-testid="iam-policy-toggle">Put an inline policy</summary>
          <form class="iam-policy-form" onSubmit={(event) => void save(event)}>
            <div class="field">
              <label for={`${base}-policy-name`}>Policy name</label>
              <input
                id={`${base}-policy-name`}
                data-testid="iam-policy-name"
                value={name}
                required
                maxLength={128}
                autoComplete="off"
                aria-invalid={errors.policyName === undefined ? undefined : true}
                aria-describedby={
                  errors.policyName === undefined ? undefined : `${base}-name-error`
                }
                onInput={(event) => setName(event.currentTarget.value)}
              />
              {errors.policyName === undefined ? null : (
                <p class="field-error" id={`${base}-name-error`}>
                  {errors.policyName}
                </p>
              )}
            </div>
            <div class="field">
              <label for={`${base}-policy-document`}>Policy document (JSON)</label>
              <textarea
                id={`${base}-policy-document`}
                data-testid="iam-policy-document"
                class="code"
                rows={8}
                spellcheck={false}
                placeholder={EXAMPLE}
                value={document}
                required
                aria-invalid={errors.document === undefined ? undefined : true}
                aria-describedby={errors.document === undefined ? undefined : `${base}-doc-error`}
                onInput={(event) => setDocument(event.currentTarget.value)}
              />
              {errors.document === undefined ? null : (
                <p class="field-error" id={`${base}-doc-error`} data-testid="iam-policy-error">
                  {errors.document}
                </p>
              )}
            </div>
            <div>
              <button
                type="submit"
                class="primary small"
                data-testid="iam-policy-save"
                disabled={busy}
              >
                {user.inlinePolicies.includes(name.trim()) ? 'Replace policy' : 'Add policy'}
              </button>
            </div>
          </form>
        </details>
      )}
    </section>
  );
}
