import { zodResolver } from '@hookform/resolvers/zod';
import { useForm } from 'react-hook-form';
import { useAdjustStock, type AdminProduct } from '../../../api/hooks/products';
import { Alert, Button, Field, Input, ProblemAlert } from '../../../ui';
import { stockAdjustmentSchema } from './product-schema';

/** Adds or removes units by hand, with the reason the ledger keeps. */
export function StockAdjustment({ product }: { product: AdminProduct }) {
  const adjust = useAdjustStock();
  const form = useForm({
    resolver: zodResolver(stockAdjustmentSchema),
    defaultValues: { delta: '', reason: '' },
  });
  const errors = form.formState.errors;
  const submit = form.handleSubmit(({ delta, reason }) => {
    adjust.mutate({ id: product.id, delta, reason }, { onSuccess: () => form.reset() });
  });

  return (
    <form className="space-y-4" noValidate onSubmit={(e) => void submit(e)}>
      <p className="text-sm text-slate-700">
        On hand: <span className="text-2xl font-semibold tabular-nums">{product.stock}</span>
      </p>
      <Field
        label="Change"
        hint="Positive adds units, negative removes them"
        error={errors.delta?.message}
      >
        {(props) => <Input {...props} inputMode="numeric" {...form.register('delta')} />}
      </Field>
      <Field label="Reason" error={errors.reason?.message}>
        {(props) => <Input {...props} {...form.register('reason')} />}
      </Field>
      {adjust.isError && <ProblemAlert error={adjust.error} title="Stock was not changed" />}
      {adjust.isSuccess && <Alert tone="success">Stock is now {adjust.data.stockAfter}.</Alert>}
      <Button type="submit" busy={adjust.isPending}>
        Adjust stock
      </Button>
    </form>
  );
}
