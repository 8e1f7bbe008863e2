import { zodResolver } from '@hookform/resolvers/zod';
import { useEffect } from 'react';
import { useForm } from 'react-hook-form';
import { useRefundOrder } from '../../../api/hooks/orders';
import { Field, formatMoney, Input, Textarea } from '../../../ui';
import { minorToInput } from '../../money-input';
import { ActionDialog, type ActionDialogProps } from './action-dialog';
import { defaultRestock, refundSchema } from './order-actions';

export function RefundDialog({
  order,
  refundable,
  onClose,
  onDone,
}: ActionDialogProps & { refundable: number }) {
  const refund = useRefundOrder();
  const form = useForm({
    resolver: zodResolver(refundSchema(order.currency, refundable)),
    defaultValues: {
      mode: 'full' as const,
      amount: '',
      reason: '',
      restock: defaultRestock(order.lines, true, order.status),
    },
  });
  const mode = form.watch('mode');
  // Each way of refunding starts from its own default: all units back for everything left
  // before shipping, none for part of it (a goodwill refund leaves the goods to ship).
  useEffect(() => {
    form.setValue('restock', defaultRestock(order.lines, mode === 'full', order.status));
  }, [form, mode, order.lines, order.status]);
  const lineErrors = form.formState.errors.restock;
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
      <fieldset className="space-y-2">
        <legend className="text-sm font-medium text-slate-700">Back to stock</legend>
        <p className="text-xs text-slate-500">
          How many units of each item go back on the shelf. Leave 0 for goods that still ship or
          stay with the customer.
        </p>
        {order.lines.map((line, i) => (
          <Field
            key={line.productId}
            label={`${line.name}: units back to stock`}
            hint={`Ordered ${line.quantity}`}
            error={lineErrors?.[i]?.quantity?.message}
          >
            {(props) => (
              <Input
                {...props}
                type="number"
                min={0}
                max={line.quantity}
                step={1}
                inputMode="numeric"
                className="w-24"
                {...form.register(`restock.${i}.quantity`, { valueAsNumber: true })}
              />
            )}
          </Field>
        ))}
      </fieldset>
    </ActionDialog>
  );
}
