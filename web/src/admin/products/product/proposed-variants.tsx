import { useEffect, useRef } from 'react';
import type { UseFormRegisterReturn } from 'react-hook-form';
import { Input, Table, Td, Th, Tr } from '../../../ui';
import {
  missingRows,
  proposeVariantRows,
  type Combination,
  type OptionValues,
  type RowDefaults,
  type VariantRow,
} from './variant-logic';

/**
 * Keeps a form's proposed rows in step with the options they combine and the product's fields
 * they start from (see proposeVariantRows): rows a person edited keep their text. Combinations
 * in `existing` are not proposed.
 */
export function useProposedRows({
  options,
  defaults,
  existing = [],
  rows,
  replace,
}: {
  options: OptionValues[];
  defaults: RowDefaults;
  existing?: readonly Combination[];
  rows: () => VariantRow[];
  replace: (rows: VariantRow[]) => void;
}): void {
  const previous = useRef(defaults);
  const latest = useRef({ options, defaults, existing, rows, replace });
  latest.current = { options, defaults, existing, rows, replace };
  const signature = JSON.stringify([options, defaults, existing]);
  useEffect(() => {
    const { options, defaults, existing, rows, replace } = latest.current;
    const current = rows();
    const next = missingRows(
      options,
      proposeVariantRows(options, current, previous.current, defaults),
      existing,
    );
    previous.current = defaults;
    if (JSON.stringify(next) !== JSON.stringify(current)) replace(next);
  }, [signature]);
}

type RowField = 'include' | 'sku' | 'price' | 'stock';

/**
 * A table input's label. On a wide screen the column's heading says what the input is and the
 * label is for screen readers only; on a phone, where a row's cells stack, it shows above the
 * input. Either way the input is named after its row ("Price for M / Red").
 */
export function RowLabel({ htmlFor, label, row }: { htmlFor: string; label: string; row: string }) {
  return (
    <label htmlFor={htmlFor} className="mb-1 block text-xs font-medium text-slate-600 sm:sr-only">
      {label}
      <span className="sr-only"> for {row}</span>
    </label>
  );
}

/** Classes that stack a table's rows on a phone: each row a wrapping line of its cells. */
export const stackOnPhone = {
  table: 'max-sm:block',
  head: 'bg-slate-50 max-sm:sr-only',
  body: 'divide-y divide-slate-100 max-sm:block',
  row: 'max-sm:flex max-sm:flex-wrap max-sm:py-2',
};

/**
 * The proposed variants as a table: whether to create each, its SKU, price and opening stock.
 * Every input is named after its variant ("Price for M / Red"), so a row reads alone.
 */
export function ProposedVariantsTable({
  rows,
  currency,
  caption,
  register,
  error,
}: {
  rows: { id: string; title: string }[];
  currency: string;
  caption: string;
  register: (index: number, field: RowField) => UseFormRegisterReturn;
  error: (index: number, field: Exclude<RowField, 'include'>) => string | undefined;
}) {
  const cell = (
    index: number,
    field: Exclude<RowField, 'include'>,
    label: string,
    className: string,
  ) => {
    const row = rows[index];
    const id = `${row?.id ?? index}-${field}`;
    const message = error(index, field);
    return (
      <Td className={className}>
        <RowLabel htmlFor={id} label={label} row={row?.title ?? ''} />
        <Input
          id={id}
          aria-invalid={message ? true : undefined}
          aria-describedby={message ? `${id}-error` : undefined}
          inputMode={field === 'sku' ? undefined : field === 'price' ? 'decimal' : 'numeric'}
          {...register(index, field)}
        />
        {message && (
          <p id={`${id}-error`} className="mt-1 text-xs text-red-700">
            {message}
          </p>
        )}
      </Td>
    );
  };
  return (
    <Table className={stackOnPhone.table}>
      <caption className="sr-only">{caption}</caption>
      <thead className={stackOnPhone.head}>
        <tr>
          <Th className="w-px">Include</Th>
          <Th className="w-px">Variant</Th>
          <Th>SKU</Th>
          <Th>Price ({currency})</Th>
          <Th>Opening stock</Th>
        </tr>
      </thead>
      <tbody className={stackOnPhone.body}>
        {rows.map((row, index) => (
          <Tr key={row.id} className={stackOnPhone.row}>
            <Td className="max-sm:pr-0">
              <input
                type="checkbox"
                className="mt-2.5 h-4 w-4 accent-indigo-600 max-sm:mt-0.5"
                aria-label={`Include ${row.title}`}
                {...register(index, 'include')}
              />
            </Td>
            <Td className="whitespace-nowrap pt-4 font-medium max-sm:flex-1 max-sm:pt-2">
              {row.title}
            </Td>
            {cell(index, 'sku', 'SKU', 'min-w-44 max-sm:w-full')}
            {cell(index, 'price', 'Price', 'w-32 max-sm:w-1/2')}
            {cell(index, 'stock', 'Opening stock', 'w-32 max-sm:w-1/2')}
          </Tr>
        ))}
      </tbody>
    </Table>
  );
}
