import { Field, Input, orderStatusLabels, Select } from '../../../ui';
import { FilterBar, formText } from '../../admin-ui';
import { hasFilters, orderStatuses, parseOrdersSearch, type OrdersSearch } from '../orders-search';

/** The filters, read from and written to the URL. */
export function OrdersFilters({
  search,
  onSearch,
}: {
  search: OrdersSearch;
  onSearch: (next: OrdersSearch) => void;
}) {
  return (
    <FilterBar
      key={JSON.stringify(search)}
      label="Filter orders"
      onSubmit={(form) =>
        onSearch(
          parseOrdersSearch({
            number: formText(form, 'number'),
            status: formText(form, 'status'),
            email: formText(form, 'email'),
            from: formText(form, 'from'),
            to: formText(form, 'to'),
            promoCode: formText(form, 'promoCode'),
          }),
        )
      }
      onReset={hasFilters(search) ? () => onSearch({}) : undefined}
    >
      <Field label="Order number" className="w-full sm:w-36">
        {(props) => (
          <Input
            {...props}
            name="number"
            type="search"
            inputMode="numeric"
            placeholder="1042"
            defaultValue={search.number === undefined ? '' : `#${search.number}`}
          />
        )}
      </Field>
      <Field label="Status" className="w-full sm:w-52">
        {(props) => (
          <Select {...props} name="status" defaultValue={search.status ?? ''}>
            <option value="">Any status</option>
            {orderStatuses.map((s) => (
              <option key={s} value={s}>
                {orderStatusLabels[s]}
              </option>
            ))}
          </Select>
        )}
      </Field>
      <Field label="Customer email" className="w-full sm:w-56">
        {(props) => (
          <Input {...props} name="email" type="search" defaultValue={search.email ?? ''} />
        )}
      </Field>
      <Field label="From (UTC day)" className="w-[calc(50%-0.375rem)] sm:w-40">
        {(props) => <Input {...props} name="from" type="date" defaultValue={search.from ?? ''} />}
      </Field>
      <Field label="To (UTC day)" className="w-[calc(50%-0.375rem)] sm:w-40">
        {(props) => <Input {...props} name="to" type="date" defaultValue={search.to ?? ''} />}
      </Field>
      <Field label="Promo code" className="w-full sm:w-36">
        {(props) => <Input {...props} name="promoCode" defaultValue={search.promoCode ?? ''} />}
      </Field>
    </FilterBar>
  );
}
