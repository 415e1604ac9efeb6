/** Roles, read-only: who may assume each (its trust policy) and what it may do. */
import type { IamRoleView } from '../../api-types.js';
import { Badge } from '../components/badge.js';
import { formatDateTime } from '../format.js';
import { prettyPolicy } from './policy-text.js';

export function RolesSection({ roles }: { roles: readonly IamRoleView[] }) {
  return (
    <>
      <h2>Roles</h2>
      <p class="muted">
        Read-only here: change roles with <code>aws iam</code> or in the config file.
      </p>
      {roles.length === 0 ? (
        <p class="empty">No roles.</p>
      ) : (
        <div class="table-wrap">
          <table data-testid="iam-roles">
            <thead>
              <tr>
                <th scope="col">Role</th>
                <th scope="col">Trust policy</th>
                <th scope="col">Policies</th>
              </tr>
            </thead>
            <tbody>
              {roles.map((role) => (
                <tr key={role.name} data-testid="iam-role" data-name={role.name}>
                  <th scope="row">
                    <span class="key">{role.name}</span>{' '}
                    {role.declared ? <Badge tone="neutral">From config file</Badge> : null}
                    <br />
                    <code class="muted">{role.arn}</code>
                    <br />
                    <span class="muted">Created {formatDateTime(role.createdAt)}</span>
                    {role.description === null ? null : <p>{role.description}</p>}
                  </th>
                  <td>
                    <pre class="policy">{prettyPolicy(role.trustPolicy)}</pre>
                  </td>
                  <td>
                    <Policies title="Inline" items={role.inlinePolicies} />
                    <Policies title="Attached" items={role.attachedPolicies} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}

function Policies({ title, items }: { title: string; items: readonly string[] }) {
  if (items.length === 0) return null;
  return (
    <>
      <p class="muted">{title}</p>
      <ul class="iam-list">
        {items.map((item) => (
          <li key={item}>
            <code>{item}</code>
          </li>
        ))}
      </ul>
    </>
  );
}
