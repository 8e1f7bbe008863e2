import { Link } from '@tanstack/react-router';
import { $api } from '../../api/client';
import { useSession } from '../../api/session';
import { Badge, buttonClass, Card, formatDate, Loading, Money, Page } from '../../ui';
import { AdminProblem } from '../admin-ui';
import { DailyChart } from './daily-chart';

/**
 * The back office's first page, from GET /api/v1/admin/stats: today's and this week's figures,
 * orders and revenue per day for 30 days, low stock and failed jobs.
 */
export function DashboardPage() {
  const stats = $api.useQuery('get', '/api/v1/admin/stats');
  const isAdmin = useSession().user?.role === 'admin';
  return (
    <Page title="Dashboard">
      {stats.isPending ? (
        <Loading label="Loading the figures…" />
      ) : stats.isError ? (
        <AdminProblem error={stats.error} title="The figures could not be loaded" />
      ) : (
        <>
          <div className="grid gap-4 sm:grid-cols-2 xl:grid-cols-4">
            <Figure label="Orders today">{stats.data.ordersToday}</Figure>
            <Figure label="Revenue today">
              <Money amount={stats.data.revenueToday} currency={stats.data.currency} />
            </Figure>
            <Figure label="Orders, last 7 days">{stats.data.ordersWeek}</Figure>
            <Figure label="Revenue, last 7 days">
              <Money amount={stats.data.revenueWeek} currency={stats.data.currency} />
            </Figure>
          </div>

          <Card title="Orders and revenue per day, last 30 days (UTC)">
            <DailyChart daily={stats.data.daily} currency={stats.data.currency} />
            <details className="mt-4 text-sm">
              <summary className="cursor-pointer text-indigo-700">
                Show the figures as a table
              </summary>
              <div className="mt-2 max-h-80 overflow-y-auto">
                <table className="min-w-full text-left">
                  <caption className="sr-only">Orders and revenue per day</caption>
                  <thead>
                    <tr className="text-slate-600">
                      <th scope="col" className="py-1 pr-4 font-medium">
                        Day
                      </th>
                      <th scope="col" className="py-1 pr-4 font-medium">
                        Orders
                      </th>
                      <th scope="col" className="py-1 font-medium">
                        Revenue
                      </th>
                    </tr>
                  </thead>
                  <tbody>
                    {[...stats.data.daily].reverse().map((d) => (
                      <tr key={d.date} className="border-t border-slate-100">
                        <td className="py-1 pr-4">{formatDate(`${d.date}T12:00:00Z`)}</td>
                        <td className="py-1 pr-4 tabular-nums">{d.orders}</td>
                        <td className="py-1">
                          <Money amount={d.revenue} currency={stats.data.currency} />
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            </details>
          </Card>

          <div className="grid gap-4 lg:grid-cols-2">
            <Card title="Low stock">
              {stats.data.lowStock.length === 0 ? (
                <p className="text-sm text-slate-600">Every active product has enough stock.</p>
              ) : (
                <ul className="divide-y divide-slate-100 text-sm">
                  {stats.data.lowStock.map((p) => (
                    <li key={p.id} className="flex items-center justify-between gap-3 py-2">
                      <span>
                        {isAdmin ? (
                          <Link
                            to="/admin/products/$productId"
                            params={{ productId: p.id }}
                            className="font-medium text-indigo-700 hover:underline"
                          >
                            {p.name}
                          </Link>
                        ) : (
                          <span className="font-medium">{p.name}</span>
                        )}{' '}
                        <span className="text-slate-500">{p.sku}</span>
                      </span>
                      <span className="shrink-0 whitespace-nowrap">
                        <Badge tone={p.stock === 0 ? 'danger' : 'warning'}>{p.stock} left</Badge>
                      </span>
                    </li>
                  ))}
                </ul>
              )}
            </Card>
            <Card title="Failed jobs">
              <p className="text-sm text-slate-700">
                {stats.data.failedJobs === 0
                  ? 'No job has failed: every email and payment task ran.'
                  : `${stats.data.failedJobs} ${stats.data.failedJobs === 1 ? 'job has' : 'jobs have'} failed (retrying or dead).`}
              </p>
              {isAdmin && stats.data.failedJobs > 0 && (
                <Link to="/admin/jobs" className={buttonClass('secondary', 'mt-3')}>
                  Review failed jobs
                </Link>
              )}
            </Card>
          </div>
        </>
      )}
    </Page>
  );
}

function Figure({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <section className="rounded-lg border border-slate-200 bg-white p-4 shadow-sm">
      <h2 className="text-sm font-medium text-slate-600">{label}</h2>
      <p className="mt-1 text-3xl font-semibold text-slate-900">{children}</p>
    </section>
  );
}
