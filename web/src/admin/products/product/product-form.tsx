import { zodResolver } from '@hookform/resolvers/zod';
import { useForm } from 'react-hook-form';
import { useUpdateProduct, type AdminProduct } from '../../../api/hooks/products';
import { Alert, Button, Field, Input, Money, ProblemAlert, Textarea } from '../../../ui';
import { productFormValues, productSchema } from './product-schema';

/**
 * Edits a product's own fields. Its stock changes by adjustments, not here; a product with
 * options has its prices per variant (in Variants), so its price is shown, not edited.
 */
export function ProductForm({ product }: { product: AdminProduct }) {
  const currency = product.currency;
  const withOptions = product.options.length > 0;
  const update = useUpdateProduct();
  const form = useForm({
    resolver: zodResolver(productSchema(currency)),
    defaultValues: productFormValues(product, currency),
    // The product as the server has it now (after a save, an archive, a restore), keeping the
    // fields a person is still editing.
    values: productFormValues(product, currency),
    resetOptions: { keepDirtyValues: true },
  });
  const errors = form.formState.errors;
  const submit = form.handleSubmit((changes) => update.mutate({ id: product.id, changes }));

  return (
    <form onSubmit={(e) => void submit(e)} className="space-y-4" noValidate>
      {update.isError && <ProblemAlert error={update.error} title="The product was not saved" />}
      {update.isSuccess && !form.formState.isDirty && <Alert tone="success">Saved.</Alert>}
      <div className="grid gap-4 sm:grid-cols-2">
        <Field label="Name" error={errors.name?.message}>
          {(props) => <Input {...props} {...form.register('name')} />}
        </Field>
        <Field
          label="SKU"
          error={errors.sku?.message}
          hint={withOptions ? 'The product’s own code; each variant has its own SKU' : undefined}
        >
          {(props) => <Input {...props} {...form.register('sku')} />}
        </Field>
        {withOptions ? (
          <div className="space-y-1 text-sm">
            <p className="font-medium text-slate-700">Price</p>
            <p className="py-2 text-slate-900">
              From <Money amount={product.price} currency={currency} />
            </p>
            <p className="text-xs text-slate-500">
              The lowest price of its active variants; set each price in Variants
            </p>
          </div>
        ) : (
          <Field
            label={`Price (${currency})`}
            error={errors.price?.message}
            hint="For example 19.99"
          >
            {(props) => <Input {...props} inputMode="decimal" {...form.register('price')} />}
          </Field>
        )}
      </div>
      <Field label="Description" error={errors.description?.message}>
        {(props) => <Textarea {...props} rows={4} {...form.register('description')} />}
      </Field>
      <label className="flex items-center gap-2 text-sm text-slate-700">
        <input type="checkbox" className="h-4 w-4" {...form.register('active')} />
        Active (listed in the shop)
      </label>
      <Button type="submit" busy={update.isPending}>
        Save
      </Button>
    </form>
  );
}
