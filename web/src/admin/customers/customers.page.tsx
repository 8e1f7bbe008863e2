import { keepPreviousData } from '@tanstack/react-query';
import { createColumnHelper } from '@tanstack/react-table';
import { getRouteApi } from '@tanstack/react-router';
import { useMemo, useState } from 'react';
import { $api, api, invalidate, queryClient } from '../../api/client';
import { useSession } from '../../api/session';
import type { User } from '../../api/types';
import {
  Alert,
  Badge,
  Button,
  Field,
  formatDate,
  Input,
  Loading,
  Page,
  ProblemAlert,
  Select,
} from '../../ui';
import { AdminProblem, FilterBar, formText, Pager } from '../admin-ui';
import { DataTable, NothingHere, type AdminTableFeatures } from '../data-table';
import { roleLabels, type Role } from '../labels';
import { roles } from '../list-search';

const PAGE_SIZE = 100;
const route = getRouteApi('/admin/customers');

/** Accounts (customers, staff, admins): filter by role, search, change a role. */
export function CustomersPage() {
  const search = route.useSearch();
  const navigate = route.useNavigate();
  const selfId = useSession().user?.id;
  const [message, setMessage] = useState<string>();
  const [error, setError] = useState<unknown>();
  const users = $api.useQuery(
    'get',
    '/api/v1/admin/users',
    {
      params: {
        query: {
          page: search.page ?? 1,
          pageSize: PAGE_SIZE,
          ...(search.role ? { role: search.role } : {}),
          ...(search.q ? { q: search.q } : {}),
        },
      },
    },
    { placeholderData: keepPreviousData },
  );

  const columns = useMemo(() => {
    const helper = createColumnHelper<AdminTableFeatures, User>();
    return helper.columns([
      helper.accessor('email', {
        header: 'Email',
        cell: (info) => (
          <span className="font-medium">
            {info.getValue()} {info.row.original.id === selfId && <Badge>You</Badge>}
          </span>
        ),
      }),
      helper.accessor('name', { header: 'Name' }),
      helper.accessor('emailVerified', {
        header: 'Email verified',
        cell: (info) => (info.getValue() ? 'Yes' : 'No'),
      }),
      helper.accessor('createdAt', {
        header: 'Joined',
        cell: (info) => formatDate(info.getValue()),
      }),
      helper.display({
        id: 'role',
        header: 'Role',
        cell: ({ row }) => (
          <RoleEditor
            user={row.original}
            onChanged={(user) => {
              setError(undefined);
              setMessage(`${user.email} is now ${roleLabels[user.role].toLowerCase()}.`);
            }}
            onError={(caught) => {
              setMessage(undefined);
              setError(caught);
            }}
          />
        ),
      }),
    ]);
  }, [selfId]);

  const visible = users.data?.items ?? [];

  return (
    <Page title="Customers">
      <FilterBar
        key={JSON.stringify(search)}
        label="Filter accounts"
        onSubmit={(form) =>
          void navigate({
            search: {
              q: formText(form, 'q'),
              role: roles.find((r) => r === form.get('role')),
            },
          })
        }
        onReset={search.q || search.role ? () => void navigate({ search: {} }) : undefined}
      >
        <Field label="Search by email or name" className="w-full sm:w-72">
          {(props) => <Input {...props} name="q" type="search" defaultValue={search.q ?? ''} />}
        </Field>
        <Field label="Role" className="w-full sm:w-40">
          {(props) => (
            <Select {...props} name="role" defaultValue={search.role ?? ''}>
              <option value="">Any role</option>
              {roles.map((r) => (
                <option key={r} value={r}>
                  {roleLabels[r]}
                </option>
              ))}
            </Select>
          )}
        </Field>
      </FilterBar>
      {message && <Alert tone="success">{message}</Alert>}
      {error !== undefined && <ProblemAlert error={error} title="The role was not changed" />}
      {users.isPending ? (
        <Loading label="Loading accounts…" />
      ) : users.isError ? (
        <AdminProblem error={users.error} title="The accounts could not be loaded" />
      ) : (
        <div className="space-y-3">
          <DataTable
            caption="Accounts"
            columns={columns}
            data={visible}
            getRowId={(u) => u.id}
            empty={<NothingHere title="No accounts match">Try another search or role.</NothingHere>}
          />
          <Pager
            page={search.page ?? 1}
            pageSize={PAGE_SIZE}
            total={users.data.total}
            noun="accounts"
            onPage={(page) => void navigate({ search: { ...search, page } })}
          />
        </div>
      )}
    </Page>
  );
}

function RoleEditor({
  user,
  onChanged,
  onError,
}: {
  user: User;
  onChanged: (user: User) => void;
  onError: (error: unknown) => void;
}) {
  const [role, setRole] = useState<Role>(user.role);
  const [busy, setBusy] = useState(false);
  const save = async () => {
    setBusy(true);
    try {
      const { data } = await api.PATCH('/api/v1/admin/users/{id}', {
        params: { path: { id: user.id } },
        body: { role },
      });
      if (data) {
        queryClient.setQueriesData<{ items: User[] }>(
          { queryKey: ['get', '/api/v1/admin/users'] },
          (page) =>
            page && { ...page, items: page.items.map((u) => (u.id === data.id ? data : u)) },
        );
        await invalidate('/api/v1/admin/users');
        onChanged(data);
      }
    } catch (caught) {
      onError(caught);
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="flex items-center gap-2">
      <Select
        aria-label={`Role of ${user.email}`}
        value={role}
        className="w-32"
        onChange={(e) => setRole(e.target.value as Role)}
      >
        {roles.map((r) => (
          <option key={r} value={r}>
            {roleLabels[r]}
          </option>
        ))}
      </Select>
      <Button
        variant="secondary"
        busy={busy}
        disabled={busy || role === user.role}
        aria-label={`Save role of ${user.email}`}
        onClick={() => void save()}
      >
        Save
      </Button>
    </div>
  );
}
