/**
 * Identities (admins): IAM users with their access keys and policies, and roles, read and
 * changed through the same stores as `aws iam`. A new key's secret is shown once.
 */
import { useState } from 'preact/hooks';
import type { CreatedAccessKey } from '../../api-types.js';
import { api } from '../client.js';
import { useResource } from '../hooks.js';
import type { PageProps } from '../shell.js';
import { CreateUserForm } from './create-user.js';
import { RolesSection } from './roles.js';
import { SecretDialog } from './secret-dialog.js';
import { UserCard } from './user-card.js';

async function loadIdentities() {
  const [users, roles, managed] = await Promise.all([
    api.iamUsers(),
    api.iamRoles(),
    api.managedPolicies(),
  ]);
  return { users: users.users, roles: roles.roles, managed: managed.policies };
}

export function IdentitiesPage(_props: PageProps) {
  const identities = useResource(loadIdentities, []);
  const [secret, setSecret] = useState<CreatedAccessKey | null>(null);
  const data = identities.data;

  return (
    <section class="page identities">
      <header class="page-head">
        <h1 tabIndex={-1}>Identities</h1>
        <p class="muted">
          IAM users, their access keys and policies, and roles: the same as <code>aws iam</code> on
          this Vigil. Every change is written to the audit log.
        </p>
      </header>
      <CreateUserForm onCreated={identities.reload} />
      {data === null ? (
        <p aria-busy="true">Loading…</p>
      ) : (
        <>
          <h2>Users</h2>
          {data.users.length === 0 ? (
            <p class="empty">No IAM users yet. Root signs with the keys Vigil printed at start.</p>
          ) : (
            data.users.map((user) => (
              <UserCard
                key={user.name}
                user={user}
                managed={data.managed}
                onChanged={identities.reload}
                onKeyCreated={setSecret}
              />
            ))
          )}
          <RolesSection roles={data.roles} />
        </>
      )}
      <SecretDialog secret={secret} onClose={() => setSecret(null)} />
    </section>
  );
}
