import { zodResolver } from '@hookform/resolvers/zod';
import { useState } from 'react';
import { useFieldArray, useForm, useWatch } from 'react-hook-form';
import type { AdminProduct } from '../../../api/hooks/products';
import { useAddVariant } from '../../../api/hooks/variants';
import { Alert, Button, Field, Input, ProblemAlert, Select } from '../../../ui';
import { minorToInput } from '../../money-input';
import { ProposedVariantsTable, useProposedRows } from './proposed-variants';
import { optionsForValue } from './variant-logic';
import { addValueSchema } from './variant-schema';

/**
 * Sells a new value of an option (a size XL): its combinations with the other options' values
 * are proposed as rows, and the ones kept are created, one request each (the value joins its
 * option with the first). A value the option already has proposes the combinations it lacks.
 */
export function AddOptionValue({ product }: { product: AdminProduct }) {
  const currency = product.currency;
  const names = product.options.map((option) => option.name);
  const add = useAddVariant();
  const [added, setAdded] = useState<string[]>([]);
  const form = useForm({
    resolver: zodResolver(addValueSchema(currency, names)),
    defaultValues: { option: names[0] ?? '', value: '', variants: [] },
  });
  const rows = useFieldArray({ control: form.control, name: 'variants' });
  const [optionName, value] = useWatch({ control: form.control, name: ['option', 'value'] });
  const typed = value.trim();
  const proposed =
    typed !== '' && names.includes(optionName)
      ? optionsForValue(product.options, optionName, typed)
      : [];
  useProposedRows({
    options: proposed,
    defaults: { sku: product.sku, price: minorToInput(product.price, currency), stock: '0' },
    existing: product.variants.map((variant) => variant.options),
    rows: () => form.getValues('variants'),
    replace: rows.replace,
  });
  const errors = form.formState.errors;
  const submit = form.handleSubmit(async (variants) => {
    setAdded([]);
    const created: string[] = [];
    for (const variant of variants) {
      try {
        created.push((await add.mutateAsync({ productId: product.id, variant })).title);
      } catch {
        // The mutation shows why; the variants created so far leave the proposal as the
        // product reloads, and the rest stay to be corrected and sent again.
        break;
      }
    }
    setAdded(created);
    if (created.length === variants.length) {
      form.reset({ option: optionName, value: '', variants: [] });
    }
  });

  return (
    <form className="space-y-4" noValidate onSubmit={(e) => void submit(e)}>
      <p className="text-sm text-slate-600">
        A new value joins its option, and its combinations with the other options are proposed
        below. A value the option already has proposes the combinations the product lacks.
      </p>
      <div className="grid gap-4 sm:grid-cols-2">
        <Field label="Option" error={errors.option?.message}>
          {(props) => (
            <Select {...props} {...form.register('option')}>
              {product.options.map((option) => (
                <option key={option.name} value={option.name}>
                  {option.name} ({option.values.join(', ')})
                </option>
              ))}
            </Select>
          )}
        </Field>
        <Field label="New value" hint="Such as XL" error={errors.value?.message}>
          {(props) => <Input {...props} {...form.register('value')} />}
        </Field>
      </div>
      {rows.fields.length > 0 ? (
        <ProposedVariantsTable
          rows={rows.fields}
          currency={currency}
          caption={`The variants to add with ${optionName} ${typed}`}
          register={(index, field) => form.register(`variants.${index}.${field}`)}
          error={(index, field) => errors.variants?.[index]?.[field]?.message}
        />
      ) : (
        proposed.length > 0 && (
          <p className="text-sm text-slate-600">
            The product has every combination with {optionName} {typed} already.
          </p>
        )
      )}
      {errors.variants?.message && (
        <p className="text-sm text-red-700" role="alert">
          {errors.variants.message}
        </p>
      )}
      {add.isError && <ProblemAlert error={add.error} title="A variant was not added" />}
      {added.length > 0 && (
        <Alert tone="success">
          Added {added.length === 1 ? 'a variant' : `${added.length} variants`}: {added.join(', ')}.
        </Alert>
      )}
      <Button
        type="submit"
        busy={add.isPending}
        disabled={rows.fields.length === 0 || add.isPending}
      >
        Add variants
      </Button>
    </form>
  );
}
