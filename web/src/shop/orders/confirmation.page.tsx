import { getRouteApi, Link } from '@tanstack/react-router';
import { $api } from '../../api/client';
import { useOrderToken } from '../../api/order-tokens';
import { useSession } from '../../api/session';
import { Alert, buttonClass, Card, Loading, OrderStatusBadge, Page, ProblemAlert } from '../../ui';
import { SignInPrompt } from '../account/sign-in-prompt';
import { OrderLines, OrderTotals } from './order/order-summary';

const route = getRouteApi('/shop/orders/$orderId/confirmation');

/** After payment: the order as the server has it now, so "paid" is never a guess. */
export function ConfirmationPage() {
  const { orderId } = route.useParams();
  const session = useSession();
  const hasToken = useOrderToken(orderId);
  const order = $api.useQuery(
    'get',
    '/api/v1/orders/{id}',
    { params: { path: { id: orderId } } },
    { enabled: session.status === 'signed-in' || (session.status !== 'restoring' && hasToken) },
  );
  if (session.status === 'signed-out' && !hasToken) {
    return (
      <SignInPrompt title="Log in to see this order" redirect={`/orders/${orderId}/confirmation`} />
    );
  }
  if (session.status === 'restoring' || order.isPending) return <Loading />;
  if (order.isError)
    return <ProblemAlert error={order.error} title="The order could not be loaded" />;
  const o = order.data;
  const paid = o.paymentStatus === 'paid' || o.status === 'paid';

  return (
    <Page title={paid ? 'Thank you for your order' : `Order ${o.number}`}>
      {paid ? (
        <Alert tone="success" title={`Order ${o.number} is paid`}>
          We have emailed you a receipt to {o.email}. We will email again when it ships.
        </Alert>
      ) : (
        <Alert tone="warning" title="This order is not paid yet">
          <Link to="/orders/$orderId" params={{ orderId }} className="font-medium underline">
            Go to the order to pay
          </Link>
        </Alert>
      )}
      <div className="flex items-center gap-2 text-sm">
        Status: <OrderStatusBadge status={o.status} />
      </div>
      <div className="grid gap-6 lg:grid-cols-[1fr_22rem]">
        <OrderLines order={o} />
        <Card title="Total" className="lg:self-start">
          <OrderTotals order={o} />
        </Card>
      </div>
      <div className="flex flex-wrap gap-2">
        <Link to="/orders/$orderId" params={{ orderId }} className={buttonClass('secondary')}>
          View order details
        </Link>
        <Link to="/" className={buttonClass('primary')}>
          Continue shopping
        </Link>
      </div>
    </Page>
  );
}
