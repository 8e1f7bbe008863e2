import { zodResolver } from '@hookform/resolvers/zod';
import { useMemo, useState } from 'react';
import { useForm } from 'react-hook-form';
import { $api } from '../../api/client';
import {
  useCreateTaxRate,
  useDeleteTaxRate,
  useUpdateTaxRate,
  type TaxRate,
} from '../../api/hooks/tax-rates';
import { countryName, countryOptions } from '../../shop/checkout/countries';
import {
  Alert,
  Badge,
  Button,
  Card,
  Field,
  Input,
  Loading,
  Page,
  ProblemAlert,
  Select,
  Table,
  TBody,
  Td,
  Th,
  THead,
  Tr,
} from '../../ui';
import { AdminProblem } from '../admin-ui';
import { NothingHere } from '../data-table';
import { emptyTaxRateForm, taxRateFormSchema, taxRateToForm } from './tax-rate-form';

/** Tax rates by place: create one, edit or delete each (placed orders keep the rate they were charged). */
export function TaxRatesPage() {
  const rates = $api.useQuery('get', '/api/v1/admin/tax-rates', {
    params: { query: { pageSize: 100 } },
  });
  const [editing, setEditing] = useState<TaxRate | undefined>();
  const remove = useDeleteTaxRate();
  return (
    <Page title="Tax rates">
      <p className="max-w-prose text-sm text-slate-700">
        An order is charged the rate of its address&rsquo;s region, or else its country&rsquo;s;
        none means no tax. Orders already placed keep the rate they were charged.
      </p>
      <div className="grid grid-cols-1 gap-6 lg:grid-cols-[minmax(0,2fr)_minmax(0,1fr)]">
        <Card title="Rates" className="min-w-0">
          {remove.isError && <ProblemAlert error={remove.error} title="The rate was not deleted" />}
          {rates.isPending ? (
            <Loading label="Loading tax rates…" />
          ) : rates.isError ? (
            <AdminProblem error={rates.error} title="The tax rates could not be loaded" />
          ) : rates.data.items.length === 0 ? (
            <NothingHere title="No tax rates">
              Orders are charged no tax until you add a rate.
            </NothingHere>
          ) : (
            <div className="overflow-x-auto">
              <Table>
                <caption className="sr-only">Tax rates</caption>
                <THead>
                  <tr>
                    <Th>Name</Th>
                    <Th>Place</Th>
                    <Th className="text-right">Rate</Th>
                    <Th>Shipping</Th>
                    <Th>
                      <span className="sr-only">Actions</span>
                    </Th>
                  </tr>
                </THead>
                <TBody>
                  {rates.data.items.map((rate) => (
                    <Tr key={rate.id}>
                      <Td className="font-medium">{rate.name}</Td>
                      <Td>
                        {countryName(rate.country)}
                        {rate.region && <span className="ml-1 font-mono">{rate.region}</span>}
                      </Td>
                      <Td className="text-right tabular-nums">{rate.rate}%</Td>
                      <Td>
                        {rate.appliesToShipping ? <Badge tone="info">Taxed</Badge> : 'Not taxed'}
                      </Td>
                      <Td className="whitespace-nowrap text-right">
                        <Button
                          variant="secondary"
                          aria-label={`Edit ${rate.name}`}
                          onClick={() => setEditing(rate)}
                        >
                          Edit
                        </Button>{' '}
                        <Button
                          variant="danger"
                          busy={remove.isPending && remove.variables === rate.id}
                          aria-label={`Delete ${rate.name}`}
                          onClick={() => {
                            if (editing?.id === rate.id) setEditing(undefined);
                            remove.mutate(rate.id);
                          }}
                        >
                          Delete
                        </Button>
                      </Td>
                    </Tr>
                  ))}
                </TBody>
              </Table>
            </div>
          )}
        </Card>
        <Card title={editing ? `Edit ${editing.name}` : 'New tax rate'} className="min-w-0">
          <TaxRateForm
            key={editing?.id ?? 'new'}
            rate={editing}
            onDone={() => setEditing(undefined)}
          />
        </Card>
      </div>
    </Page>
  );
}

function TaxRateForm({ rate, onDone }: { rate?: TaxRate | undefined; onDone: () => void }) {
  const create = useCreateTaxRate();
  const update = useUpdateTaxRate();
  const save = rate ? update : create;
  const countries = useMemo(() => countryOptions(), []);
  const form = useForm({
    resolver: zodResolver(taxRateFormSchema),
    defaultValues: rate ? taxRateToForm(rate) : emptyTaxRateForm,
  });
  const errors = form.formState.errors;
  const submit = form.handleSubmit((body) => {
    if (rate) update.mutate({ id: rate.id, changes: body }, { onSuccess: onDone });
    else create.mutate(body, { onSuccess: () => form.reset(emptyTaxRateForm) });
  });
  return (
    <form className="space-y-4" noValidate onSubmit={(e) => void submit(e)}>
      {save.isError && <ProblemAlert error={save.error} title="The tax rate was not saved" />}
      {create.isSuccess && !rate && <Alert tone="success">Tax rate created.</Alert>}
      <Field label="Name" hint="Shown on orders and emails" error={errors.name?.message}>
        {(props) => <Input {...props} {...form.register('name')} />}
      </Field>
      <Field label="Country" error={errors.country?.message}>
        {(props) => (
          <Select {...props} {...form.register('country')}>
            <option value="">Choose a country</option>
            {countries.map((c) => (
              <option key={c.code} value={c.code}>
                {c.name}
              </option>
            ))}
          </Select>
        )}
      </Field>
      <Field
        label="Region (optional)"
        hint="An ISO 3166-2 code such as US-CA; empty: the whole country"
        error={errors.region?.message}
      >
        {(props) => <Input {...props} {...form.register('region')} />}
      </Field>
      <Field
        label="Rate (%)"
        hint="Up to three decimals, such as 8.875"
        error={errors.rate?.message}
      >
        {(props) => <Input {...props} inputMode="decimal" {...form.register('rate')} />}
      </Field>
      <label className="flex items-center gap-2 text-sm text-slate-700">
        <input type="checkbox" className="h-4 w-4" {...form.register('appliesToShipping')} />
        Tax shipping at this rate too
      </label>
      <div className="flex flex-wrap gap-2">
        <Button type="submit" busy={save.isPending}>
          {rate ? 'Save tax rate' : 'Create tax rate'}
        </Button>
        {rate && (
          <Button variant="secondary" onClick={onDone}>
            Cancel editing
          </Button>
        )}
      </div>
    </form>
  );
}
