import { Link } from '@tanstack/react-router';
import type { Order } from '../../../api/types';
import { Card, Money } from '../../../ui';
import { PostalAddress } from '../../checkout/postal-address';

/** The order's items, as on the order and confirmation pages. */
export function OrderLines({ order }: { order: Order }) {
  return (
    <Card title="Items">
      {/* Each line before the discount, which the totals take off the subtotal once: lines shown
          after it beside a subtotal before it read as a double discount. */}
      <ul className="divide-y divide-slate-100" aria-label="Items">
        {order.lines.map((line, index) => (
          <li
            key={`${line.variantId}-${index}`}
            className="flex justify-between gap-3 py-2 text-sm"
          >
            <span>
              <Link
                to="/products/$productId"
                params={{ productId: line.productId }}
                className="font-medium hover:underline"
              >
                {line.name}
              </Link>
              {line.variantTitle && (
                <span className="block text-slate-700">{line.variantTitle}</span>
              )}
              <span className="block text-slate-500">
                {line.quantity} × <Money amount={line.unitPrice} currency={order.currency} />
              </span>
            </span>
            <Money amount={line.subtotal} currency={order.currency} />
          </li>
        ))}
      </ul>
    </Card>
  );
}

export function OrderTotals({ order }: { order: Order }) {
  const row = 'flex justify-between py-1 text-sm';
  return (
    <dl>
      <div className={row}>
        <dt className="text-slate-600">Subtotal</dt>
        <dd>
          <Money amount={order.subtotal} currency={order.currency} />
        </dd>
      </div>
      {order.discount > 0 && (
        <div className={row}>
          <dt className="text-slate-600">
            Discount{order.promoCode ? ` (${order.promoCode})` : ''}
          </dt>
          <dd className="text-emerald-700">
            −<Money amount={order.discount} currency={order.currency} />
          </dd>
        </div>
      )}
      <div className={row}>
        <dt className="text-slate-600">Shipping</dt>
        <dd>
          {order.shipping === 0 ? (
            'Free'
          ) : (
            <Money amount={order.shipping} currency={order.currency} />
          )}
        </dd>
      </div>
      <div className="flex justify-between border-t border-slate-100 pt-2 text-base font-semibold">
        <dt>Total</dt>
        <dd>
          <Money amount={order.total} currency={order.currency} />
        </dd>
      </div>
    </dl>
  );
}

/** Where the order goes. */
export function ShipTo({ order }: { order: Order }) {
  return <PostalAddress address={order.shippingAddress} />;
}
