import type { FormEvent, ReactNode } from 'react';
import type { Order } from '../../../api/types';
import { Button, ProblemAlert } from '../../../ui';
import { Dialog } from '../../../ui/dialog';

/** A dialog that runs one order action; its error (the problem's detail) stays in the dialog. */
export function ActionDialog({
  title,
  description,
  confirm,
  variant = 'primary',
  busy,
  error,
  onClose,
  onSubmit,
  children,
}: {
  title: string;
  description?: string;
  confirm: string;
  variant?: 'primary' | 'danger';
  busy: boolean;
  error: unknown;
  onClose: () => void;
  onSubmit: (event: FormEvent) => Promise<void> | void;
  children?: ReactNode;
}) {
  return (
    <Dialog
      open
      onOpenChange={(open) => !open && !busy && onClose()}
      title={title}
      {...(description ? { description } : {})}
    >
      <form
        className="space-y-4"
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          void onSubmit(e);
        }}
      >
        {children}
        {error !== null && error !== undefined && <ProblemAlert error={error} />}
        <div className="flex flex-wrap justify-end gap-2">
          <Button variant="secondary" disabled={busy} onClick={onClose}>
            Close
          </Button>
          <Button type="submit" variant={variant} busy={busy}>
            {confirm}
          </Button>
        </div>
      </form>
    </Dialog>
  );
}

export interface ActionDialogProps {
  order: Order;
  onClose: () => void;
  onDone: (message: string) => void;
}
