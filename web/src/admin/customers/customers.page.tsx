import { zodResolver } from '@hookform/resolvers/zod';
import { keepPreviousData } from '@tanstack/react-query';
import { createColumnHelper } from '@tanstack/react-table';
import { getRouteApi } from '@tanstack/react-router';
import { useMemo } from 'react';
import { useForm } from 'react-hook-form';
import { z } from 'zod';
import { $api } from '../../api/client';
import { useChangeRole } from '../../api/hooks/users';
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
  const changeRole = useChangeRole();
  const changing = changeRole.isPending ? changeRole.variables.id : undefined;
  const { mutate: saveRole } = changeRole;
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
            busy={changing === row.original.id}
            onSave={(role) => saveRole({ id: row.original.id, role })}
          />
        ),
      }),
    ]);
  }, [selfId, changing, saveRole]);

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
      {changeRole.isSuccess && (
        <Alert tone="success">
          {changeRole.data.email} is now {roleLabels[changeRole.data.role].toLowerCase()}.
        </Alert>
      )}
      {changeRole.isError && (
        <ProblemAlert error={changeRole.error} title="The role was not changed" />
      )}
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

const roleSchema = z.object({ role: z.enum(roles) });

/** A role picker and its Save button, for one account. */
function RoleEditor({
  user,
  busy,
  onSave,
}: {
  user: User;
  busy: boolean;
  onSave: (role: Role) => void;
}) {
  const form = useForm({ resolver: zodResolver(roleSchema), defaultValues: { role: user.role } });
  const role = form.watch('role');
  return (
    <div className="flex items-center gap-2">
      <Select aria-label={`Role of ${user.email}`} className="w-32" {...form.register('role')}>
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
        onClick={() => void form.handleSubmit((values) => onSave(values.role))()}
      >
        Save
      </Button>
    </div>
  );
}
