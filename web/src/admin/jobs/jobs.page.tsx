import { keepPreviousData } from '@tanstack/react-query';
import { createColumnHelper } from '@tanstack/react-table';
import { getRouteApi } from '@tanstack/react-router';
import { useMemo } from 'react';
import { $api } from '../../api/client';
import { useRetryJob } from '../../api/hooks/jobs';
import {
  Alert,
  Badge,
  Button,
  Field,
  formatDateTime,
  Loading,
  Page,
  ProblemAlert,
  Select,
} from '../../ui';
import { AdminProblem, FilterBar, Pager } from '../admin-ui';
import { DataTable, NothingHere, type AdminTableFeatures } from '../data-table';
import { jobStatusLabels } from '../labels';
import { jobStatuses } from '../list-search';

import type { Job } from '../../api/hooks/jobs';
const PAGE_SIZE = 25;
const route = getRouteApi('/admin/jobs');

/** Failed jobs (retrying, or dead after their last attempt), each retried on request. */
export function JobsPage() {
  const search = route.useSearch();
  const navigate = route.useNavigate();
  const retry = useRetryJob();
  const retrying = retry.isPending ? retry.variables.id : undefined;
  const { mutate: retryJob } = retry;
  const jobs = $api.useQuery(
    'get',
    '/api/v1/admin/jobs',
    {
      params: {
        query: {
          page: search.page ?? 1,
          pageSize: PAGE_SIZE,
          ...(search.status ? { status: search.status } : {}),
        },
      },
    },
    { placeholderData: keepPreviousData },
  );

  const columns = useMemo(() => {
    const helper = createColumnHelper<AdminTableFeatures, Job>();
    return helper.columns([
      helper.accessor('queue', {
        header: 'Job',
        cell: (info) => <span className="font-mono text-xs">{info.getValue()}</span>,
      }),
      helper.accessor('status', {
        header: 'Status',
        cell: (info) => (
          <Badge tone={info.getValue() === 'dead' ? 'danger' : 'warning'}>
            {jobStatusLabels[info.getValue()]}
          </Badge>
        ),
      }),
      helper.display({
        id: 'attempts',
        header: 'Attempts',
        cell: ({ row }) => `${row.original.attempts} of ${row.original.maxAttempts}`,
      }),
      helper.accessor('lastError', {
        header: 'Last error',
        cell: (info) => (
          <span className="block max-w-md break-words text-xs text-red-800">
            {info.getValue() ?? '—'}
          </span>
        ),
      }),
      helper.display({
        id: 'when',
        header: 'Last attempt / next',
        cell: ({ row }) => (
          <span className="whitespace-nowrap text-xs">
            {row.original.lastAttemptAt ? formatDateTime(row.original.lastAttemptAt) : '—'}
            <br />
            {row.original.nextAttemptAt ? `next ${formatDateTime(row.original.nextAttemptAt)}` : ''}
          </span>
        ),
      }),
      helper.display({
        id: 'retry',
        header: 'Action',
        cell: ({ row }) => (
          <Button
            variant="secondary"
            busy={retrying === row.original.id}
            aria-label={`Retry the ${row.original.queue} job ${row.original.id}`}
            onClick={() => retryJob(row.original)}
          >
            Retry
          </Button>
        ),
      }),
    ]);
  }, [retrying, retryJob]);

  return (
    <Page title="Failed jobs">
      <FilterBar
        key={search.status ?? ''}
        label="Filter jobs"
        onSubmit={(form) =>
          void navigate({ search: { status: jobStatuses.find((s) => s === form.get('status')) } })
        }
        onReset={search.status ? () => void navigate({ search: {} }) : undefined}
      >
        <Field label="Status" className="w-full sm:w-56">
          {(props) => (
            <Select {...props} name="status" defaultValue={search.status ?? ''}>
              <option value="">Retrying and dead</option>
              {jobStatuses.map((s) => (
                <option key={s} value={s}>
                  {jobStatusLabels[s]}
                </option>
              ))}
            </Select>
          )}
        </Field>
      </FilterBar>
      {retry.isSuccess && <Alert tone="success">The {retry.data.queue} job runs again now.</Alert>}
      {retry.isError && <ProblemAlert error={retry.error} title="The job was not retried" />}
      {jobs.isPending ? (
        <Loading label="Loading jobs…" />
      ) : jobs.isError ? (
        <AdminProblem error={jobs.error} title="The jobs could not be loaded" />
      ) : (
        <div className="space-y-3">
          <DataTable
            caption="Failed jobs"
            columns={columns}
            data={jobs.data.items}
            getRowId={(j) => j.id}
            empty={
              <NothingHere title="No failed jobs">
                Every email and payment task has run.
              </NothingHere>
            }
          />
          <Pager
            page={search.page ?? 1}
            pageSize={PAGE_SIZE}
            total={jobs.data.total}
            noun="jobs"
            onPage={(page) => void navigate({ search: { ...search, page } })}
          />
        </div>
      )}
    </Page>
  );
}
