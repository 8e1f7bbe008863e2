import { useEffect, useRef } from 'react';
import type { UseFormRegisterReturn } from 'react-hook-form';
import { Input, Table, TBody, Td, Th, THead, Tr } from '../../../ui';
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
    wide = false,
  ) => {
    const message = error(index, field);
    const errorId = `${rows[index]?.id ?? index}-${field}-error`;
    return (
      <Td>
        <Input
          aria-label={label}
          aria-invalid={message ? true : undefined}
          aria-describedby={message ? errorId : undefined}
          inputMode={field === 'sku' ? undefined : field === 'price' ? 'decimal' : 'numeric'}
          className={wide ? 'min-w-40' : 'w-24'}
          {...register(index, field)}
        />
        {message && (
          <p id={errorId} className="mt-1 text-xs text-red-700">
            {message}
          </p>
        )}
      </Td>
    );
  };
  return (
    <Table>
      <caption className="sr-only">{caption}</caption>
      <THead>
        <tr>
          <Th>Include</Th>
          <Th>Variant</Th>
          <Th>SKU</Th>
          <Th>Price ({currency})</Th>
          <Th>Opening stock</Th>
        </tr>
      </THead>
      <TBody>
        {rows.map((row, index) => (
          <Tr key={row.id}>
            <Td>
              <input
                type="checkbox"
                className="mt-2.5 h-4 w-4 accent-indigo-600"
                aria-label={`Include ${row.title}`}
                {...register(index, 'include')}
              />
            </Td>
            <Td className="whitespace-nowrap pt-4 font-medium">{row.title}</Td>
            {cell(index, 'sku', `SKU for ${row.title}`, true)}
            {cell(index, 'price', `Price for ${row.title}`)}
            {cell(index, 'stock', `Opening stock for ${row.title}`)}
          </Tr>
        ))}
      </TBody>
    </Table>
  );
}
