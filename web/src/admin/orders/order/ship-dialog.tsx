import { zodResolver } from '@hookform/resolvers/zod';
import { useForm } from 'react-hook-form';
import { useShipOrder } from '../../../api/hooks/orders';
import { Field, Input } from '../../../ui';
import { ActionDialog, type ActionDialogProps } from './action-dialog';
import { shipSchema } from './order-actions';

export function ShipDialog({ order, onClose, onDone }: ActionDialogProps) {
  const ship = useShipOrder();
  const form = useForm({
    resolver: zodResolver(shipSchema),
    defaultValues: { carrier: '', trackingNumber: '' },
  });
  const errors = form.formState.errors;
  return (
    <ActionDialog
      title={`Ship order ${order.number}`}
      description="The customer is emailed the carrier and tracking number."
      confirm="Ship"
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
        {(props) => <Input {...props} {...form.register('carrier')} />}
      </Field>
      <Field label="Tracking number" error={errors.trackingNumber?.message}>
        {(props) => <Input {...props} {...form.register('trackingNumber')} />}
      </Field>
    </ActionDialog>
  );
}
