import { $api } from '../../api/client';
import { Card, Loading, Money, Page, ProblemAlert } from '../../ui';

/** The back office's first page: today's and this week's figures from /api/v1/admin/stats. */
export function DashboardPage() {
  const stats = $api.useQuery('get', '/api/v1/admin/stats');
  return (
    <Page title="Dashboard">
      {stats.isPending ? (
        <Loading />
      ) : stats.isError ? (
        <ProblemAlert error={stats.error} title="The figures could not be loaded" />
      ) : (
        <div className="grid gap-4 sm:grid-cols-2 xl:grid-cols-4">
          <Card title="Orders today">
            <p className="text-3xl font-semibold">{stats.data.ordersToday}</p>
          </Card>
          <Card title="Revenue today">
            <p className="text-3xl font-semibold">
              <Money amount={stats.data.revenueToday} currency={stats.data.currency} />
            </p>
          </Card>
          <Card title="Orders this week">
            <p className="text-3xl font-semibold">{stats.data.ordersWeek}</p>
          </Card>
          <Card title="Revenue this week">
            <p className="text-3xl font-semibold">
              <Money amount={stats.data.revenueWeek} currency={stats.data.currency} />
            </p>
          </Card>
        </div>
      )}
    </Page>
  );
}
