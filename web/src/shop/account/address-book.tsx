import { useState } from 'react';
import { useForm, type Resolver } from 'react-hook-form';
import {
  useAddresses,
  useDeleteAddress,
  useSaveAddress,
  useUpdateAddress,
} from '../../api/hooks/addresses';
import type { Address } from '../../api/types';
import { Badge, Button, Card, Loading, ProblemAlert } from '../../ui';
import { AddressFields } from '../checkout/address-fields';
import type { AddressFormResult, AddressFormValues } from '../checkout/address-form';
import { emptyAddress } from '../checkout/empty-address';
import { PostalAddress } from '../checkout/postal-address';

type AddressResolver = Resolver<AddressFormValues, unknown, AddressFormResult>;

// As the checkout: zod loads when the form is first checked, not with the account page.
const addressResolver: AddressResolver = async (values, context, options) => {
  const [{ zodResolver }, { addressSchema }] = await Promise.all([
    import('@hookform/resolvers/zod'),
    import('../checkout/address-form'),
  ]);
  return zodResolver(addressSchema)(values, context, options);
};

/** A saved address as the form edits it. */
const formValuesOf = (address: Address): AddressFormValues => ({
  ...emptyAddress(address.name),
  line1: address.line1,
  line2: address.line2 ?? '',
  city: address.city,
  region: address.region ?? '',
  postalCode: address.postalCode,
  country: address.country,
  phone: address.phone ?? '',
});

/** The account's address book: the saved addresses, the default first; add, edit, delete. */
export function AddressBookCard() {
  const addresses = useAddresses();
  const remove = useDeleteAddress();
  const update = useUpdateAddress();
  // The address being edited, 'new' for one being added.
  const [editing, setEditing] = useState<string | undefined>();
  const items = addresses.data?.items ?? [];
  const edited = items.find((a) => a.id === editing);

  return (
    <Card title="Addresses">
      <div className="space-y-4">
        {addresses.isPending ? (
          <Loading label="Loading your addresses…" />
        ) : addresses.isError ? (
          <ProblemAlert error={addresses.error} title="Your addresses could not be loaded" />
        ) : items.length === 0 ? (
          <p className="text-sm text-slate-600">
            No saved addresses yet. Save one here, or from the checkout.
          </p>
        ) : (
          <ul className="divide-y divide-slate-100" aria-label="Saved addresses">
            {items.map((address) => (
              <li
                key={address.id}
                className="flex flex-wrap items-start justify-between gap-3 py-3"
              >
                <div className="space-y-1">
                  {address.isDefault && <Badge tone="success">Default</Badge>}
                  <PostalAddress address={address} />
                </div>
                <div className="flex flex-wrap gap-2">
                  {!address.isDefault && (
                    <Button
                      variant="secondary"
                      aria-label={`Make default: ${address.line1}`}
                      busy={update.isPending && update.variables.id === address.id}
                      onClick={() => update.mutate({ id: address.id, body: { isDefault: true } })}
                    >
                      Make default
                    </Button>
                  )}
                  <Button
                    variant="secondary"
                    aria-label={`Edit: ${address.line1}`}
                    onClick={() => setEditing(address.id)}
                  >
                    Edit
                  </Button>
                  <Button
                    variant="secondary"
                    aria-label={`Delete: ${address.line1}`}
                    busy={remove.isPending && remove.variables === address.id}
                    onClick={() =>
                      remove.mutate(address.id, {
                        onSuccess: () => {
                          if (editing === address.id) setEditing(undefined);
                        },
                      })
                    }
                  >
                    Delete
                  </Button>
                </div>
              </li>
            ))}
          </ul>
        )}
        {update.isError && <ProblemAlert error={update.error} title="Not changed" />}
        {remove.isError && <ProblemAlert error={remove.error} title="Not deleted" />}
        {editing === 'new' || edited ? (
          <AddressForm key={editing} address={edited} onDone={() => setEditing(undefined)} />
        ) : (
          <Button variant="secondary" onClick={() => setEditing('new')}>
            Add an address
          </Button>
        )}
      </div>
    </Card>
  );
}

/** Adds an address, or edits `address`. */
function AddressForm({ address, onDone }: { address: Address | undefined; onDone: () => void }) {
  const save = useSaveAddress();
  const update = useUpdateAddress();
  const [makeDefault, setMakeDefault] = useState(false);
  const form = useForm<AddressFormValues, unknown, AddressFormResult>({
    resolver: addressResolver,
    defaultValues: address ? formValuesOf(address) : emptyAddress(),
  });
  const failed = address ? update : save;
  const submit = form.handleSubmit(async (value) => {
    if (address) {
      await update.mutateAsync({
        id: address.id,
        body: {
          ...value,
          line2: value.line2 ?? null,
          region: value.region ?? null,
          phone: value.phone ?? null,
        },
      });
    } else {
      await save.mutateAsync({ ...value, ...(makeDefault ? { isDefault: true } : {}) });
    }
    onDone();
  });
  return (
    <form
      onSubmit={(e) => void submit(e).catch(() => undefined)}
      noValidate
      aria-label={address ? 'Edit the address' : 'New address'}
      className="grid gap-4 border-t border-slate-100 pt-4 sm:grid-cols-2"
    >
      <AddressFields form={form} />
      {!address && (
        <label className="flex items-center gap-2 text-sm sm:col-span-2">
          <input
            type="checkbox"
            checked={makeDefault}
            onChange={(e) => setMakeDefault(e.target.checked)}
          />
          Make this my default address
        </label>
      )}
      {failed.isError && (
        <div className="sm:col-span-2">
          <ProblemAlert error={failed.error} title="The address was not saved" />
        </div>
      )}
      <div className="flex gap-2 sm:col-span-2">
        <Button type="submit" busy={failed.isPending}>
          Save address
        </Button>
        <Button type="button" variant="secondary" onClick={onDone}>
          Cancel
        </Button>
      </div>
    </form>
  );
}
