import { keepPreviousData } from '@tanstack/react-query';
import { createColumnHelper } from '@tanstack/react-table';
import { getRouteApi } from '@tanstack/react-router';
import { useMemo, useState } from 'react';
import { $api, api, invalidate } from '../../api/client';
import type { components } from '../../api/schema.gen';
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

type Job = components['schemas']['Job'];
const PAGE_SIZE = 25;
const route = getRouteApi('/admin/jobs');

/** Failed jobs (retrying, or dead after their last attempt), each retried on request. */
export function JobsPage() {
  const search = route.useSearch();
  const navigate = route.useNavigate();
  const [message, setMessage] = useState<string>();
  const [error, setError] = useState<unknown>();
  const [retrying, setRetrying] = useState<string>();
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
    const retry = async (job: Job) => {
      setRetrying(job.id);
      setError(undefined);
      setMessage(undefined);
      try {
        await api.POST('/api/v1/admin/jobs/{id}/retry', { params: { path: { id: job.id } } });
        await invalidate('/api/v1/admin/jobs', '/api/v1/admin/stats');
        setMessage(`The ${job.queue} job runs again now.`);
      } catch (caught) {
        setError(caught);
      } finally {
        setRetrying(undefined);
      }
    };
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
            onClick={() => void retry(row.original)}
          >
            Retry
          </Button>
        ),
      }),
    ]);
  }, [retrying]);

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
      {message && <Alert tone="success">{message}</Alert>}
      {error !== undefined && <ProblemAlert error={error} title="The job was not retried" />}
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
