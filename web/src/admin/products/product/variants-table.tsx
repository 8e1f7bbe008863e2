import { zodResolver } from '@hookform/resolvers/zod';
import { Link } from '@tanstack/react-router';
import { useId } from 'react';
import { useForm } from 'react-hook-form';
import type { AdminProduct } from '../../../api/hooks/products';
import { useUpdateVariant, type Variant } from '../../../api/hooks/variants';
import { Badge, Button, Input, ProblemAlert, Table, TBody, Td, Th, THead, Tr } from '../../../ui';
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
      <Table>
        <caption className="sr-only">Variants of {product.name}</caption>
        <THead>
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
        </THead>
        <TBody>
          {variants.map((variant) => (
            <VariantRowEditor
              key={variant.id}
              variant={variant}
              currency={product.currency}
              selected={variant.id === selectedId}
            />
          ))}
        </TBody>
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
  const fieldError = (field: 'sku' | 'price') => {
    const message = errors[field]?.message;
    return {
      props: {
        'aria-invalid': message ? true : undefined,
        'aria-describedby': message ? `${formId}-${field}` : undefined,
      },
      text: message && (
        <p id={`${formId}-${field}`} className="mt-1 text-xs text-red-700">
          {message}
        </p>
      ),
    };
  };
  const sku = fieldError('sku');
  const price = fieldError('price');

  return (
    <>
      <Tr className={selected ? 'bg-indigo-50 hover:bg-indigo-50' : undefined}>
        <Td className="whitespace-nowrap pt-4 font-medium">
          {title}
          {!variant.active && (
            <span className="ml-2">
              <Badge tone="warning">Inactive</Badge>
            </span>
          )}
        </Td>
        <Td>
          <Input
            form={formId}
            aria-label={`SKU for ${title}`}
            className="min-w-40"
            {...sku.props}
            {...form.register('sku')}
          />
          {sku.text}
        </Td>
        <Td>
          <Input
            form={formId}
            aria-label={`Price for ${title}`}
            inputMode="decimal"
            className="w-28"
            {...price.props}
            {...form.register('price')}
          />
          {price.text}
        </Td>
        <Td className="whitespace-nowrap pt-4 text-right">
          <span className="tabular-nums">{variant.stock}</span>
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
        <Td>
          <input
            type="checkbox"
            form={formId}
            className="mt-2.5 h-4 w-4 accent-indigo-600"
            aria-label={`Active for ${title}`}
            {...form.register('active')}
          />
        </Td>
        <Td>
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
        <tr>
          <td colSpan={6} className="px-3 pb-3">
            <ProblemAlert error={update.error} title={`${title} was not saved`} />
          </td>
        </tr>
      )}
    </>
  );
}
