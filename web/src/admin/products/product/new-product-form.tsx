import { zodResolver } from '@hookform/resolvers/zod';
import { useFieldArray, useForm, useWatch } from 'react-hook-form';
import { useCreateProduct, type AdminProduct } from '../../../api/hooks/products';
import { Button, Field, Input, ProblemAlert, Textarea } from '../../../ui';
import { ProposedVariantsTable, useProposedRows } from './proposed-variants';
import { typedOptions } from './variant-logic';
import { MAX_OPTIONS, newProductFormValues, newProductSchema } from './variant-schema';

/**
 * Creates a product: one SKU, price and stock, or, with options (up to three, such as Size and
 * Colour), a variant per combination, each with its own SKU, price and opening stock.
 */
export function NewProductForm({
  currency,
  onCreated,
}: {
  currency: string;
  onCreated: (product: AdminProduct) => void;
}) {
  const create = useCreateProduct();
  const form = useForm({
    resolver: zodResolver(newProductSchema(currency)),
    defaultValues: newProductFormValues(currency),
  });
  const options = useFieldArray({ control: form.control, name: 'options' });
  const rows = useFieldArray({ control: form.control, name: 'variants' });
  const [typed, sku, price, stock] = useWatch({
    control: form.control,
    name: ['options', 'sku', 'price', 'stock'],
  });
  const combined = typedOptions(typed);
  useProposedRows({
    options: combined,
    defaults: { sku, price, stock: stock ?? '' },
    rows: () => form.getValues('variants'),
    replace: rows.replace,
  });
  const withOptions = options.fields.length > 0;
  const errors = form.formState.errors;
  const submit = form.handleSubmit((body) => create.mutate(body, { onSuccess: onCreated }));

  return (
    <form onSubmit={(e) => void submit(e)} className="space-y-6" noValidate>
      {create.isError && <ProblemAlert error={create.error} title="The product was not created" />}
      <div className="space-y-4 border-b border-slate-200 pb-6">
        <div className="grid gap-4 sm:grid-cols-2">
          <Field label="Name" error={errors.name?.message}>
            {(props) => <Input {...props} {...form.register('name')} />}
          </Field>
          <Field
            label="SKU"
            error={errors.sku?.message}
            hint={
              withOptions ? 'The product’s own code; each variant’s SKU starts with it' : undefined
            }
          >
            {(props) => <Input {...props} {...form.register('sku')} />}
          </Field>
          <Field
            label={`Price (${currency})`}
            error={errors.price?.message}
            hint={
              withOptions
                ? 'Every variant starts at this price; change it per variant below'
                : 'For example 19.99'
            }
          >
            {(props) => <Input {...props} inputMode="decimal" {...form.register('price')} />}
          </Field>
          <Field
            label="Stock"
            error={errors.stock?.message}
            hint={
              withOptions
                ? 'Every variant starts with this many units'
                : 'Units on hand to start with'
            }
          >
            {(props) => <Input {...props} inputMode="numeric" {...form.register('stock')} />}
          </Field>
        </div>
        <Field label="Description" error={errors.description?.message}>
          {(props) => <Textarea {...props} rows={4} {...form.register('description')} />}
        </Field>
        <label className="flex items-center gap-2 text-sm text-slate-700">
          <input type="checkbox" className="h-4 w-4" {...form.register('active')} />
          Active (listed in the shop)
        </label>
      </div>

      <fieldset className="space-y-4">
        <legend className="text-base font-semibold text-slate-900">Options</legend>
        <p className="text-sm text-slate-600">
          Sold in sizes or colours? Add up to {MAX_OPTIONS} options: the product gets a variant per
          combination, each with its own SKU, price and stock. Options cannot be added later.
        </p>
        {options.fields.map((option, index) => (
          <div
            key={option.id}
            className="grid gap-3 rounded-md border border-slate-200 p-3 sm:grid-cols-[1fr_2fr_auto] sm:items-start"
          >
            <Field
              label={`Option ${index + 1} name`}
              hint="Such as Size"
              error={errors.options?.[index]?.name?.message}
            >
              {(props) => <Input {...props} {...form.register(`options.${index}.name`)} />}
            </Field>
            <Field
              label={`Option ${index + 1} values`}
              hint="Separated by commas, such as S, M, L"
              error={errors.options?.[index]?.values?.message}
            >
              {(props) => <Input {...props} {...form.register(`options.${index}.values`)} />}
            </Field>
            <Button variant="ghost" className="sm:mt-6" onClick={() => options.remove(index)}>
              Remove option {index + 1}
            </Button>
          </div>
        ))}
        {options.fields.length < MAX_OPTIONS && (
          <Button variant="secondary" onClick={() => options.append({ name: '', values: '' })}>
            Add an option
          </Button>
        )}
      </fieldset>

      {withOptions && (
        <section aria-labelledby="new-variants-heading" className="space-y-3">
          <h3 id="new-variants-heading" className="text-base font-semibold text-slate-900">
            Variants
          </h3>
          {rows.fields.length === 0 ? (
            <p className="text-sm text-slate-600">
              Name an option and give it values: its variants are proposed here.
            </p>
          ) : (
            <>
              <p className="text-sm text-slate-600">
                {rows.fields.length === 1
                  ? 'One combination'
                  : `${rows.fields.length} combinations`}
                . Untick a combination you do not sell; SKUs, prices and stock follow the fields
                above until you change them.
              </p>
              <ProposedVariantsTable
                rows={rows.fields}
                currency={currency}
                caption="The variants to create"
                register={(index, field) => form.register(`variants.${index}.${field}`)}
                error={(index, field) => errors.variants?.[index]?.[field]?.message}
              />
            </>
          )}
          {errors.variants?.message && (
            <p className="text-sm text-red-700" role="alert">
              {errors.variants.message}
            </p>
          )}
        </section>
      )}

      <Button type="submit" busy={create.isPending}>
        Create product
      </Button>
    </form>
  );
}
