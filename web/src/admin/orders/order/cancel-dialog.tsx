import { zodResolver } from '@hookform/resolvers/zod';
import { useForm } from 'react-hook-form';
import { useCancelOrder } from '../../../api/hooks/orders';
import { Alert, Field, formatMoney, Textarea } from '../../../ui';
import { ActionDialog, type ActionDialogProps } from './action-dialog';
import { cancelSchema } from './order-actions';

export function CancelDialog({
  order,
  refundable,
  onClose,
  onDone,
}: ActionDialogProps & { refundable: number }) {
  const cancel = useCancelOrder();
  const form = useForm({
    resolver: zodResolver(cancelSchema),
    defaultValues: { reason: '', restock: true },
  });
  return (
    <ActionDialog
      title={`Cancel order ${order.number}`}
      confirm="Cancel order"
      variant="danger"
      busy={cancel.isPending}
      error={cancel.error}
      onClose={onClose}
      onSubmit={form.handleSubmit((body) =>
        cancel.mutate(
          { id: order.id, body },
          { onSuccess: () => onDone(`Order ${order.number} cancelled`) },
        ),
      )}
    >
      {order.status === 'paid' && (
        <Alert tone="warning">
          This order is paid: cancelling refunds {formatMoney(refundable, order.currency)} in full.
        </Alert>
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
