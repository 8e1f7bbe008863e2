import type { Order } from '../../../api/types';
import { Card, formatDateTime } from '../../../ui';
import { actorLabel, customerReason, sortHistory, transitionLabel } from '../timeline';

/** The order's status changes, oldest first, with who made each (you, the shop, automatic). */
export function OrderTimeline({ order, selfId }: { order: Order; selfId: string | undefined }) {
  return (
    <Card title="History">
      <ol aria-label="Order history" className="relative space-y-4 border-l border-slate-200 pl-5">
        {sortHistory(order.history).map((entry) => (
          <li key={entry.at + entry.to} className="relative">
            <span
              aria-hidden="true"
              className="absolute -left-[1.65rem] top-1 h-3 w-3 rounded-full border-2 border-white bg-indigo-600"
            />
            <p className="text-sm font-medium text-slate-900">{transitionLabel(entry)}</p>
            <p className="text-xs text-slate-600">
              <time dateTime={entry.at}>{formatDateTime(entry.at)}</time> · by{' '}
              {actorLabel(entry, selfId)}
            </p>
            <Reason entry={entry} />
          </li>
        ))}
      </ol>
    </Card>
  );
}

function Reason({ entry }: { entry: Order['history'][number] }) {
  const reason = customerReason(entry.reason);
  if (!reason || reason.toLowerCase() === transitionLabel(entry).toLowerCase()) return null;
  return <p className="text-xs text-slate-600">{reason}</p>;
}
