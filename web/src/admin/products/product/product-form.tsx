import { zodResolver } from '@hookform/resolvers/zod';
import { useForm } from 'react-hook-form';
import { useCreateProduct, useUpdateProduct, type AdminProduct } from '../../../api/hooks/products';
import { Alert, Button, Field, Input, ProblemAlert, Textarea } from '../../../ui';
import { productFormValues, productSchema } from './product-schema';

/** Creates a product, or edits one (its stock changes by adjustments, not here). */
export function ProductForm({
  product,
  currency,
  onCreated,
}: {
  product?: AdminProduct;
  currency: string;
  onCreated?: (product: AdminProduct) => void;
}) {
  const creating = product === undefined;
  const create = useCreateProduct();
  const update = useUpdateProduct();
  const save = creating ? create : update;
  const form = useForm({
    resolver: zodResolver(productSchema(currency)),
    defaultValues: productFormValues(product, currency),
    // The product as the server has it now (after a save, an archive, a restore), keeping the
    // fields a person is still editing.
    ...(product && {
      values: productFormValues(product, currency),
      resetOptions: { keepDirtyValues: true },
    }),
  });
  const errors = form.formState.errors;
  const submit = form.handleSubmit((values) => {
    const { stock, ...fields } = values;
    if (product) update.mutate({ id: product.id, changes: fields });
    else create.mutate({ ...fields, stock: stock ?? 0 }, { onSuccess: onCreated });
  });

  return (
    <form onSubmit={(e) => void submit(e)} className="space-y-4" noValidate>
      {save.isError && <ProblemAlert error={save.error} title="The product was not saved" />}
      {save.isSuccess && !form.formState.isDirty && <Alert tone="success">Saved.</Alert>}
      <div className="grid gap-4 sm:grid-cols-2">
        <Field label="Name" error={errors.name?.message}>
          {(props) => <Input {...props} {...form.register('name')} />}
        </Field>
        <Field label="SKU" error={errors.sku?.message}>
          {(props) => <Input {...props} {...form.register('sku')} />}
        </Field>
        <Field label={`Price (${currency})`} error={errors.price?.message} hint="For example 19.99">
          {(props) => <Input {...props} inputMode="decimal" {...form.register('price')} />}
        </Field>
        {creating && (
          <Field label="Stock" error={errors.stock?.message} hint="Units on hand to start with">
            {(props) => <Input {...props} inputMode="numeric" {...form.register('stock')} />}
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
      <Button type="submit" busy={save.isPending}>
        {creating ? 'Create product' : 'Save'}
      </Button>
    </form>
  );
}
