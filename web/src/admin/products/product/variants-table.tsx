import { zodResolver } from '@hookform/resolvers/zod';
import { Link } from '@tanstack/react-router';
import { useId } from 'react';
import { useForm } from 'react-hook-form';
import type { AdminProduct } from '../../../api/hooks/products';
import { useUpdateVariant, type Variant } from '../../../api/hooks/variants';
import { Badge, Button, cn, Input, ProblemAlert, Table, Td, Th, Tr } from '../../../ui';
import { RowLabel, stackOnPhone } from './proposed-variants';
import { variantEditSchema, variantEditValues } from './variant-schema';

/**
 * A product's variants, one row each: its SKU, price and active flag edited in place and saved
 * per row; its stock, with a link to adjust it and read its movements.
 */
export function VariantsTable({
  product,
  selectedId,
}: {
  product: AdminProduct;
  /** The variant whose stock is open below, if any. */
  selectedId: string | undefined;
}) {
  const variants = [...product.variants].sort((a, b) => a.position - b.position);
  return (
    <div className="space-y-3">
      <p className="text-sm text-slate-600">
        Variants are never deleted: untick Active and save to take one out of the shop. Its orders
        and stock history stay.
      </p>
      <Table className={stackOnPhone.table}>
        <caption className="sr-only">Variants of {product.name}</caption>
        <thead className={stackOnPhone.head}>
          <tr>
            <Th>Variant</Th>
            <Th>SKU</Th>
            <Th>Price ({product.currency})</Th>
            <Th className="text-right">Stock</Th>
            <Th>Active</Th>
            <Th>
              <span className="sr-only">Save</span>
            </Th>
          </tr>
        </thead>
        <tbody className={stackOnPhone.body}>
          {variants.map((variant) => (
            <VariantRowEditor
              key={variant.id}
              variant={variant}
              currency={product.currency}
              selected={variant.id === selectedId}
            />
          ))}
        </tbody>
      </Table>
    </div>
  );
}

function VariantRowEditor({
  variant,
  currency,
  selected,
}: {
  variant: Variant;
  currency: string;
  selected: boolean;
}) {
  const update = useUpdateVariant();
  const formId = useId();
  const form = useForm({
    resolver: zodResolver(variantEditSchema(currency)),
    defaultValues: variantEditValues(variant, currency),
    values: variantEditValues(variant, currency),
    resetOptions: { keepDirtyValues: true },
  });
  const errors = form.formState.errors;
  const dirty = form.formState.isDirty;
  const submit = form.handleSubmit((changes) => update.mutate({ id: variant.id, changes }));
  const title = variant.title;
  const field = (name: 'sku' | 'price') => {
    const id = `${formId}-${name}`;
    const message = errors[name]?.message;
    return {
      id,
      props: {
        id,
        form: formId,
        'aria-invalid': message ? true : undefined,
        'aria-describedby': message ? `${id}-error` : undefined,
      },
      error: message && (
        <p id={`${id}-error`} className="mt-1 text-xs text-red-700">
          {message}
        </p>
      ),
    };
  };
  const sku = field('sku');
  const price = field('price');

  return (
    <>
      <Tr
        className={cn(stackOnPhone.row, selected && 'bg-indigo-50 hover:bg-indigo-50')}
        aria-current={selected || undefined}
      >
        <Td className="whitespace-nowrap pt-4 font-medium max-sm:w-full max-sm:pt-2">
          {title}
          {!variant.active && (
            <span className="ml-2">
              <Badge tone="warning">Inactive</Badge>
            </span>
          )}
        </Td>
        <Td className="min-w-44 max-sm:w-full">
          <RowLabel htmlFor={sku.id} label="SKU" row={title} />
          <Input {...sku.props} {...form.register('sku')} />
          {sku.error}
        </Td>
        <Td className="w-32 max-sm:w-1/2">
          <RowLabel htmlFor={price.id} label="Price" row={title} />
          <Input {...price.props} inputMode="decimal" {...form.register('price')} />
          {price.error}
        </Td>
        <Td className="whitespace-nowrap pt-4 text-right max-sm:w-1/2 max-sm:pt-7 max-sm:text-left">
          <span className="tabular-nums">
            <span className="sm:hidden">Stock </span>
            {variant.stock}
          </span>
          <Link
            to="/admin/products/$productId"
            params={{ productId: variant.productId }}
            search={{ variant: variant.id }}
            resetScroll={false}
            className="block text-indigo-700 hover:underline"
          >
            Adjust stock<span className="sr-only"> of {title}</span>
          </Link>
        </Td>
        <Td className="max-sm:w-1/2">
          <label className="flex items-center gap-2 text-sm text-slate-700 sm:mt-2.5">
            <input
              type="checkbox"
              form={formId}
              className="h-4 w-4 accent-indigo-600"
              {...form.register('active')}
            />
            <span className="sm:sr-only">Active</span>
            <span className="sr-only"> for {title}</span>
          </label>
        </Td>
        <Td className="max-sm:w-1/2">
          <form id={formId} noValidate onSubmit={(e) => void submit(e)}>
            <Button
              type="submit"
              variant="secondary"
              busy={update.isPending}
              disabled={!dirty || update.isPending}
            >
              Save<span className="sr-only"> {title}</span>
            </Button>
          </form>
          {update.isSuccess && !dirty && (
            <p role="status" className="mt-1 text-xs text-emerald-700">
              Saved
            </p>
          )}
        </Td>
      </Tr>
      {update.isError && (
        <tr className="max-sm:block">
          <td colSpan={6} className="px-3 pb-3 max-sm:block">
            <ProblemAlert error={update.error} title={`${title} was not saved`} />
          </td>
        </tr>
      )}
    </>
  );
}
