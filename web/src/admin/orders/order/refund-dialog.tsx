import { zodResolver } from '@hookform/resolvers/zod';
import { useForm } from 'react-hook-form';
import { useRefundOrder } from '../../../api/hooks/orders';
import { Field, formatMoney, Input, Textarea } from '../../../ui';
import { minorToInput } from '../../money-input';
import { ActionDialog, type ActionDialogProps } from './action-dialog';
import { refundSchema } from './order-actions';

export function RefundDialog({
  order,
  refundable,
  onClose,
  onDone,
}: ActionDialogProps & { refundable: number }) {
  const refund = useRefundOrder();
  const form = useForm({
    resolver: zodResolver(refundSchema(order.currency, refundable)),
    // Restocking is the exception after shipping (the goods are with the customer).
    defaultValues: {
      mode: 'full' as const,
      amount: '',
      reason: '',
      restock: order.status === 'paid',
    },
  });
  const mode = form.watch('mode');
  return (
    <ActionDialog
      title={`Refund order ${order.number}`}
      description={`Up to ${formatMoney(refundable, order.currency)} can be refunded.`}
      confirm="Refund"
      busy={refund.isPending}
      error={refund.error}
      onClose={onClose}
      onSubmit={form.handleSubmit((body) =>
        refund.mutate(
          { id: order.id, body },
          {
            onSuccess: () =>
              onDone(
                `Refunded ${formatMoney('amount' in body ? body.amount : refundable, order.currency)} on order ${order.number}`,
              ),
          },
        ),
      )}
    >
      <fieldset className="space-y-2 text-sm">
        <legend className="font-medium text-slate-700">Amount</legend>
        <label className="flex items-center gap-2">
          <input type="radio" value="full" className="h-4 w-4" {...form.register('mode')} />
          Everything left ({formatMoney(refundable, order.currency)})
        </label>
        <label className="flex items-center gap-2">
          <input type="radio" value="part" className="h-4 w-4" {...form.register('mode')} />
          Part of it
        </label>
      </fieldset>
      {mode === 'part' && (
        <Field
          label={`Amount to refund (${order.currency})`}
          hint={`For example ${minorToInput(Math.min(refundable, 1000), order.currency)}`}
          error={form.formState.errors.amount?.message}
        >
          {(props) => <Input {...props} inputMode="decimal" {...form.register('amount')} />}
        </Field>
      )}
      <Field label="Reason" error={form.formState.errors.reason?.message}>
        {(props) => <Textarea {...props} rows={2} {...form.register('reason')} />}
      </Field>
      <label className="flex items-center gap-2 text-sm">
        <input type="checkbox" className="h-4 w-4" {...form.register('restock')} />
        Put the items back in stock
      </label>
    </ActionDialog>
  );
}
