import { useState } from 'react';
import { useCancelMyOrder } from '../../../api/hooks/orders';
import type { Order } from '../../../api/types';
import { Button, ProblemAlert } from '../../../ui';
import { Dialog } from '../../../ui/dialog';

/** The customer cancels an unpaid order, after confirming; its items go back to stock. */
export function CancelOrderButton({ order }: { order: Order }) {
  const [open, setOpen] = useState(false);
  const cancel = useCancelMyOrder();
  return (
    <>
      <Button variant="secondary" onClick={() => setOpen(true)}>
        Cancel order
      </Button>
      <Dialog
        open={open}
        onOpenChange={setOpen}
        title={`Cancel order ${order.number}?`}
        description="Its items go back to stock. This cannot be undone."
        footer={
          <>
            <Button variant="secondary" onClick={() => setOpen(false)}>
              Keep order
            </Button>
            <Button
              variant="danger"
              busy={cancel.isPending}
              onClick={() => cancel.mutate(order.id, { onSuccess: () => setOpen(false) })}
            >
              Cancel order
            </Button>
          </>
        }
      >
        {cancel.isError && (
          <ProblemAlert error={cancel.error} title="The order could not be cancelled" />
        )}
      </Dialog>
    </>
  );
}
