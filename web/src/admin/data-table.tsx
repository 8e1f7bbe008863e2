import {
  rowSelectionFeature,
  tableFeatures,
  useTable,
  type ColumnDef,
  type RowData,
  type RowSelectionState,
} from '@tanstack/react-table';
import type { ReactNode } from 'react';
import { EmptyState, Table, TBody, Td, Th, THead, Tr } from '../ui';

/** The features every back-office table has; columns are typed against these. */
export const adminTableFeatures = tableFeatures({ rowSelectionFeature });
export type AdminTableFeatures = typeof adminTableFeatures;
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a column list mixes value types.
export type AdminColumns<TData extends RowData> = ColumnDef<AdminTableFeatures, TData, any>[];

export interface Selection {
  state: RowSelectionState;
  onChange: (next: RowSelectionState) => void;
  /** A label for each row's checkbox, e.g. "Select order 1042". */
  rowLabel: (id: string) => string;
}

/**
 * A back-office list on @tanstack/react-table: the rows are one page the server already
 * filtered and paged (filters and page live in the URL), the table renders them, with
 * optional row selection for bulk actions. Scrolls sideways on a phone.
 */
export function DataTable<TData extends RowData>({
  caption,
  columns,
  data,
  getRowId,
  selection,
  empty,
}: {
  caption: string;
  columns: AdminColumns<TData>;
  data: TData[];
  getRowId: (row: TData) => string;
  selection?: Selection;
  empty: ReactNode;
}) {
  const table = useTable({
    features: adminTableFeatures,
    columns,
    data,
    getRowId: (row) => getRowId(row),
    state: { rowSelection: selection?.state ?? {} },
    onRowSelectionChange: (updater) => {
      if (!selection) return;
      selection.onChange(typeof updater === 'function' ? updater(selection.state) : updater);
    },
    enableRowSelection: selection !== undefined,
  });

  if (data.length === 0) return <>{empty}</>;

  const rows = table.getRowModel().rows;
  const allSelected = selection ? rows.every((row) => selection.state[row.id]) : false;
  const someSelected = selection ? rows.some((row) => selection.state[row.id]) : false;

  return (
    <Table>
      <caption className="sr-only">{caption}</caption>
      <THead>
        {table.getHeaderGroups().map((group) => (
          <tr key={group.id}>
            {selection && (
              <Th className="w-10">
                <input
                  type="checkbox"
                  aria-label="Select all on this page"
                  className="h-4 w-4"
                  checked={allSelected}
                  ref={(el) => {
                    if (el) el.indeterminate = someSelected && !allSelected;
                  }}
                  onChange={(e) => {
                    const next: RowSelectionState = {};
                    if (e.target.checked) for (const row of rows) next[row.id] = true;
                    selection.onChange(next);
                  }}
                />
              </Th>
            )}
            {group.headers.map((header) => (
              <Th key={header.id}>
                {header.isPlaceholder ? null : <table.FlexRender header={header} />}
              </Th>
            ))}
          </tr>
        ))}
      </THead>
      <TBody>
        {rows.map((row) => (
          <Tr key={row.id}>
            {selection && (
              <Td>
                <input
                  type="checkbox"
                  aria-label={selection.rowLabel(row.id)}
                  className="h-4 w-4"
                  checked={selection.state[row.id] === true}
                  onChange={(e) => {
                    const next = { ...selection.state };
                    if (e.target.checked) next[row.id] = true;
                    else delete next[row.id];
                    selection.onChange(next);
                  }}
                />
              </Td>
            )}
            {row.getAllCells().map((cell) => (
              <Td key={cell.id}>
                <table.FlexRender cell={cell} />
              </Td>
            ))}
          </Tr>
        ))}
      </TBody>
    </Table>
  );
}

export function NothingHere({ title, children }: { title: string; children?: ReactNode }) {
  return <EmptyState title={title}>{children}</EmptyState>;
}
