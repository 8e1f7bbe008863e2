import { zodResolver } from '@hookform/resolvers/zod';
import { useForm } from 'react-hook-form';
import { useAdjustStock } from '../../../api/hooks/products';
import { useAdjustVariantStock } from '../../../api/hooks/variants';
import { Alert, Button, Field, Input, ProblemAlert } from '../../../ui';
import { stockAdjustmentSchema } from './product-schema';

/** Whose stock moves: a one-variant product's (by the product), or one variant's. */
export type StockTarget = { productId: string } | { variantId: string };

/** Adds or removes units by hand, with the reason the ledger keeps. */
export function StockAdjustment({ target, onHand }: { target: StockTarget; onHand: number }) {
  const adjustProduct = useAdjustStock();
  const adjustVariant = useAdjustVariantStock();
  const adjust = 'variantId' in target ? adjustVariant : adjustProduct;
  const form = useForm({
    resolver: zodResolver(stockAdjustmentSchema),
    defaultValues: { delta: '', reason: '' },
  });
  const errors = form.formState.errors;
  const submit = form.handleSubmit(({ delta, reason }) => {
    const done = { onSuccess: () => form.reset() };
    if ('variantId' in target) adjustVariant.mutate({ id: target.variantId, delta, reason }, done);
    else adjustProduct.mutate({ id: target.productId, delta, reason }, done);
  });

  return (
    <form className="space-y-4" noValidate onSubmit={(e) => void submit(e)}>
      <p className="text-sm text-slate-700">
        On hand: <span className="text-2xl font-semibold tabular-nums">{onHand}</span>
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
