import { zodResolver } from '@hookform/resolvers/zod';
import { useState } from 'react';
import { useForm } from 'react-hook-form';
import { $api } from '../../api/client';
import {
  useCreateShippingMethod,
  useDeleteShippingMethod,
  useUpdateShippingMethod,
  type ShippingMethod,
} from '../../api/hooks/shipping-methods';
import {
  Alert,
  Badge,
  Button,
  Card,
  Field,
  Input,
  Loading,
  Money,
  Page,
  ProblemAlert,
  Table,
  TBody,
  Td,
  Th,
  THead,
  Tr,
} from '../../ui';
import { AdminProblem } from '../admin-ui';
import { NothingHere } from '../data-table';
import { useShopCurrency } from '../use-shop-currency';
import {
  emptyShippingMethodForm,
  shippingMethodFormSchema,
  shippingMethodToForm,
} from './shipping-method-form';

/** How the shop ships: create a method, edit, deactivate or delete each. */
export function ShippingMethodsPage() {
  const currency = useShopCurrency();
  const methods = $api.useQuery('get', '/api/v1/admin/shipping-methods', {
    params: { query: { pageSize: 100 } },
  });
  const [editing, setEditing] = useState<ShippingMethod | undefined>();
  const update = useUpdateShippingMethod();
  const remove = useDeleteShippingMethod();
  const error = update.error ?? remove.error;
  return (
    <Page title="Shipping methods">
      <p className="max-w-prose text-sm text-slate-700">
        Checkout offers the active methods that serve the address&rsquo;s country, cheapest first.
        With no method at all, orders ship at the flat rate of the shop&rsquo;s settings, as
        &ldquo;Standard&rdquo;.
      </p>
      {!currency ? (
        <Loading />
      ) : (
        <div className="grid grid-cols-1 gap-6 lg:grid-cols-[minmax(0,2fr)_minmax(0,1fr)]">
          <Card title="Methods" className="min-w-0">
            {error && <ProblemAlert error={error} title="The method was not changed" />}
            {methods.isPending ? (
              <Loading label="Loading shipping methods…" />
            ) : methods.isError ? (
              <AdminProblem
                error={methods.error}
                title="The shipping methods could not be loaded"
              />
            ) : methods.data.items.length === 0 ? (
              <NothingHere title="No shipping methods">
                Orders ship at the flat rate until you add one.
              </NothingHere>
            ) : (
              <div className="overflow-x-auto">
                <Table>
                  <caption className="sr-only">Shipping methods</caption>
                  <THead>
                    <tr>
                      <Th>Name</Th>
                      <Th>Countries</Th>
                      <Th className="text-right">Price</Th>
                      <Th className="text-right">Free over</Th>
                      <Th>State</Th>
                      <Th>
                        <span className="sr-only">Actions</span>
                      </Th>
                    </tr>
                  </THead>
                  <TBody>
                    {methods.data.items.map((method) => (
                      <Tr key={method.id}>
                        <Td className="font-medium">{method.name}</Td>
                        <Td>
                          {method.countries.length === 0
                            ? 'Everywhere'
                            : method.countries.join(', ')}
                        </Td>
                        <Td className="text-right">
                          <Money amount={method.price} currency={currency} />
                        </Td>
                        <Td className="text-right">
                          {method.freeOver === null ? (
                            '—'
                          ) : (
                            <Money amount={method.freeOver} currency={currency} />
                          )}
                        </Td>
                        <Td>
                          {method.active ? (
                            <Badge tone="success">Active</Badge>
                          ) : (
                            <Badge>Inactive</Badge>
                          )}
                        </Td>
                        <Td className="whitespace-nowrap text-right">
                          <div className="flex justify-end gap-2">
                            <Button
                              variant="secondary"
                              aria-label={`Edit ${method.name}`}
                              onClick={() => setEditing(method)}
                            >
                              Edit
                            </Button>
                            <Button
                              variant="secondary"
                              busy={update.isPending && update.variables.id === method.id}
                              aria-label={`${method.active ? 'Deactivate' : 'Activate'} ${method.name}`}
                              onClick={() => {
                                remove.reset();
                                update.mutate({
                                  id: method.id,
                                  changes: { active: !method.active },
                                });
                              }}
                            >
                              {method.active ? 'Deactivate' : 'Activate'}
                            </Button>
                            <Button
                              variant="danger"
                              busy={remove.isPending && remove.variables === method.id}
                              aria-label={`Delete ${method.name}`}
                              onClick={() => {
                                update.reset();
                                if (editing?.id === method.id) setEditing(undefined);
                                remove.mutate(method.id);
                              }}
                            >
                              Delete
                            </Button>
                          </div>
                        </Td>
                      </Tr>
                    ))}
                  </TBody>
                </Table>
              </div>
            )}
          </Card>
          <Card
            title={editing ? `Edit ${editing.name}` : 'New shipping method'}
            className="min-w-0"
          >
            <ShippingMethodForm
              key={editing?.id ?? 'new'}
              method={editing}
              currency={currency}
              onDone={() => setEditing(undefined)}
            />
          </Card>
        </div>
      )}
    </Page>
  );
}

function ShippingMethodForm({
  method,
  currency,
  onDone,
}: {
  method?: ShippingMethod | undefined;
  currency: string;
  onDone: () => void;
}) {
  const create = useCreateShippingMethod();
  const update = useUpdateShippingMethod();
  const save = method ? update : create;
  const form = useForm({
    resolver: zodResolver(shippingMethodFormSchema(currency)),
    defaultValues: method ? shippingMethodToForm(method, currency) : emptyShippingMethodForm,
  });
  const errors = form.formState.errors;
  const submit = form.handleSubmit((body) => {
    if (method) update.mutate({ id: method.id, changes: body }, { onSuccess: onDone });
    else create.mutate(body, { onSuccess: () => form.reset(emptyShippingMethodForm) });
  });
  return (
    <form className="space-y-4" noValidate onSubmit={(e) => void submit(e)}>
      {save.isError && (
        <ProblemAlert error={save.error} title="The shipping method was not saved" />
      )}
      {create.isSuccess && !method && <Alert tone="success">Shipping method created.</Alert>}
      <Field label="Name" hint="Shown at checkout, such as Express" error={errors.name?.message}>
        {(props) => <Input {...props} {...form.register('name')} />}
      </Field>
      <Field
        label="Countries (optional)"
        hint="Country codes separated by commas, such as GB, IE; empty: every country"
        error={errors.countries?.message}
      >
        {(props) => <Input {...props} {...form.register('countries')} />}
      </Field>
      <Field label={`Price (${currency})`} error={errors.price?.message}>
        {(props) => <Input {...props} inputMode="decimal" {...form.register('price')} />}
      </Field>
      <Field
        label={`Free over (${currency}, optional)`}
        hint="Free when the subtotal after discount is at least this"
        error={errors.freeOver?.message}
      >
        {(props) => <Input {...props} inputMode="decimal" {...form.register('freeOver')} />}
      </Field>
      <label className="flex items-center gap-2 text-sm text-slate-700">
        <input type="checkbox" className="h-4 w-4" {...form.register('active')} />
        Active (offered at checkout)
      </label>
      <div className="flex flex-wrap gap-2">
        <Button type="submit" busy={save.isPending}>
          {method ? 'Save shipping method' : 'Create shipping method'}
        </Button>
        {method && (
          <Button variant="secondary" onClick={onDone}>
            Cancel editing
          </Button>
        )}
      </div>
    </form>
  );
}
