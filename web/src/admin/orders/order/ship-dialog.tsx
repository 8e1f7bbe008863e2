import { zodResolver } from '@hookform/resolvers/zod';
import { useForm } from 'react-hook-form';
import { useShipOrder } from '../../../api/hooks/orders';
import { Field, Input } from '../../../ui';
import { ActionDialog, type ActionDialogProps } from './action-dialog';
import { shipDialogSchema } from './order-actions';

/**
 * Ship: the carrier and tracking number the customer is emailed, or an explicit choice to ship
 * without tracking (tracking can still be added from the order afterwards).
 */
export function ShipDialog({ order, onClose, onDone }: ActionDialogProps) {
  const ship = useShipOrder();
  const form = useForm({
    resolver: zodResolver(shipDialogSchema),
    defaultValues: { withoutTracking: false, carrier: '', trackingNumber: '' },
  });
  const errors = form.formState.errors;
  const withoutTracking = form.watch('withoutTracking');
  return (
    <ActionDialog
      title={`Ship order ${order.number}`}
      description="The customer is emailed that the order is on its way, with its tracking."
      confirm={withoutTracking ? 'Ship without tracking' : 'Ship'}
      busy={ship.isPending}
      error={ship.error}
      onClose={onClose}
      onSubmit={form.handleSubmit((body) =>
        ship.mutate(
          { id: order.id, body },
          { onSuccess: () => onDone(`Order ${order.number} shipped`) },
        ),
      )}
    >
      <Field label="Carrier" error={errors.carrier?.message}>
        {(props) => <Input {...props} disabled={withoutTracking} {...form.register('carrier')} />}
      </Field>
      <Field label="Tracking number" error={errors.trackingNumber?.message}>
        {(props) => (
          <Input {...props} disabled={withoutTracking} {...form.register('trackingNumber')} />
        )}
      </Field>
      <label className="flex items-center gap-2 text-sm">
        <input type="checkbox" className="h-4 w-4" {...form.register('withoutTracking')} />
        Ship without tracking (it can be added later)
      </label>
    </ActionDialog>
  );
}
