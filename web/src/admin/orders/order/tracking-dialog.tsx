import { zodResolver } from '@hookform/resolvers/zod';
import { useForm } from 'react-hook-form';
import { useUpdateTracking } from '../../../api/hooks/orders';
import { Field, Input } from '../../../ui';
import { ActionDialog, type ActionDialogProps } from './action-dialog';
import { trackingSchema } from './order-actions';

/** Adds or corrects the tracking of a shipped order; the customer is emailed the new tracking. */
export function TrackingDialog({ order, onClose, onDone }: ActionDialogProps) {
  const update = useUpdateTracking();
  const form = useForm({
    resolver: zodResolver(trackingSchema),
    defaultValues: { carrier: order.carrier ?? '', trackingNumber: order.trackingNumber ?? '' },
  });
  const errors = form.formState.errors;
  const verb = order.trackingNumber ? 'Correct' : 'Add';
  return (
    <ActionDialog
      title={`${verb} tracking for order ${order.number}`}
      description="The customer is emailed the new tracking."
      confirm="Save tracking"
      busy={update.isPending}
      error={update.error}
      onClose={onClose}
      onSubmit={form.handleSubmit((body) =>
        update.mutate(
          { id: order.id, body },
          { onSuccess: () => onDone(`Tracking of order ${order.number} saved`) },
        ),
      )}
    >
      <Field label="Carrier" error={errors.carrier?.message}>
        {(props) => <Input {...props} {...form.register('carrier')} />}
      </Field>
      <Field label="Tracking number" error={errors.trackingNumber?.message}>
        {(props) => <Input {...props} {...form.register('trackingNumber')} />}
      </Field>
    </ActionDialog>
  );
}
