import { useDeliverOrder } from '../../../api/hooks/orders';
import { ActionDialog, type ActionDialogProps } from './action-dialog';

export function DeliverDialog({ order, onClose, onDone }: ActionDialogProps) {
  const deliver = useDeliverOrder();
  return (
    <ActionDialog
      title={`Mark order ${order.number} delivered`}
      description="Use this once the carrier confirms delivery."
      confirm="Deliver"
      busy={deliver.isPending}
      error={deliver.error}
      onClose={onClose}
      onSubmit={() =>
        deliver.mutate(order.id, { onSuccess: () => onDone(`Order ${order.number} delivered`) })
      }
    />
  );
}
