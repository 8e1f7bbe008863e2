import { zodResolver } from '@hookform/resolvers/zod';
import { useForm } from 'react-hook-form';
import { useBulkOrderAction } from '../../../api/hooks/orders';
import type { Order } from '../../../api/types';
import { Alert, Badge, Button, Field, Input, orderStatusLabels, Textarea } from '../../../ui';
import { Dialog } from '../../../ui/dialog';
import {
  bulkEligible,
  bulkFormSchema,
  runBulk,
  summarizeBulk,
  type BulkAction,
  type BulkResult,
} from './bulk';

/** Ship or cancel the selected orders, each on its own; the result of each is shown after. */
export function BulkDialog({
  action,
  orders,
  onClose,
  onDone,
}: {
  action: BulkAction;
  orders: Order[];
  onClose: () => void;
  onDone: (action: BulkAction, results: BulkResult[]) => void;
}) {
  const bulk = useBulkOrderAction<BulkResult[]>();
  const form = useForm({
    resolver: zodResolver(bulkFormSchema),
    defaultValues: { carrier: '', reason: '', restock: true },
  });
  const errors = form.formState.errors;
  const eligible = orders.filter((o) => bulkEligible(action, o));
  const skipped = orders.length - eligible.length;
  const describe = (status: Order['status']) => `now ${orderStatusLabels[status].toLowerCase()}`;
  const run = form.handleSubmit(({ carrier, reason, restock }) =>
    bulk.mutate(
      {
        bulk:
          action === 'ship'
            ? { action, body: carrier ? { carrier } : {} }
            : { action, body: { restock, ...(reason ? { reason } : {}) } },
        run: (perform) => runBulk(orders, perform, describe),
      },
      { onSuccess: (results) => onDone(action, results) },
    ),
  );

  const title = action === 'ship' ? 'Ship the selected orders' : 'Cancel the selected orders';
  return (
    <Dialog
      open
      onOpenChange={(open) => !open && !bulk.isPending && onClose()}
      title={title}
      description={`${orders.length} selected. Each order is handled on its own; the result of each is shown afterwards.`}
      footer={
        <>
          <Button variant="secondary" disabled={bulk.isPending} onClick={onClose}>
            Keep them as they are
          </Button>
          <Button
            variant={action === 'ship' ? 'primary' : 'danger'}
            busy={bulk.isPending}
            onClick={() => void run()}
          >
            {action === 'ship' ? `Ship ${orders.length}` : `Cancel ${orders.length}`}
          </Button>
        </>
      }
    >
      <div className="space-y-4 text-sm">
        {skipped > 0 && (
          <Alert tone="warning">
            {skipped} of them cannot be {action === 'ship' ? 'shipped (not paid)' : 'cancelled'};
            the server will refuse those and say why.
          </Alert>
        )}
        {action === 'ship' ? (
          <Field label="Carrier (optional, the same for all)" error={errors.carrier?.message}>
            {(props) => <Input {...props} {...form.register('carrier')} />}
          </Field>
        ) : (
          <>
            <p>Paid orders are refunded in full.</p>
            <Field label="Reason (optional)" error={errors.reason?.message}>
              {(props) => <Textarea {...props} rows={2} {...form.register('reason')} />}
            </Field>
            <label className="flex items-center gap-2">
              <input type="checkbox" className="h-4 w-4" {...form.register('restock')} />
              Put the items back in stock
            </label>
          </>
        )}
        <ul className="flex flex-wrap gap-1" aria-label="Selected orders">
          {orders.map((o) => (
            <li key={o.id}>
              <Badge tone={bulkEligible(action, o) ? 'info' : 'neutral'}>{o.number}</Badge>
            </li>
          ))}
        </ul>
      </div>
    </Dialog>
  );
}

/** What the last bulk action did, order by order (a refusal with the server's reason). */
export function BulkResults({
  action,
  results,
  onDismiss,
}: {
  action: BulkAction;
  results: BulkResult[];
  onDismiss: () => void;
}) {
  return (
    <Alert
      tone={results.every((r) => r.ok) ? 'success' : 'warning'}
      title={summarizeBulk(action, results)}
    >
      <ul className="mt-1 space-y-0.5" aria-label="Result per order">
        {results.map((r) => (
          <li key={r.id}>
            Order {r.number}: {r.ok ? r.message : `refused: ${r.message}`}
          </li>
        ))}
      </ul>
      <Button variant="ghost" className="mt-2" onClick={onDismiss}>
        Dismiss
      </Button>
    </Alert>
  );
}
