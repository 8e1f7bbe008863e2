import { zodResolver } from '@hookform/resolvers/zod';
import { useForm } from 'react-hook-form';
import {
  useCreatePromoCode,
  useUpdatePromoCode,
  type PromoCode,
} from '../../../api/hooks/promo-codes';
import { Alert, Button, Field, Input, ProblemAlert, Select } from '../../../ui';
import { emptyPromoForm, promoFormSchema, promoToForm } from '../promo-form';

/** Creates a promo code, or edits one. */
export function PromoCodeForm({
  promo,
  currency,
  onCreated,
}: {
  promo?: PromoCode;
  currency: string;
  onCreated?: (promo: PromoCode) => void;
}) {
  const create = useCreatePromoCode();
  const update = useUpdatePromoCode();
  const save = promo ? update : create;
  const form = useForm({
    resolver: zodResolver(promoFormSchema(currency)),
    defaultValues: promo ? promoToForm(promo, currency) : emptyPromoForm,
    // The code as the server has it now (after a save or an activation), keeping the fields
    // a person is still editing.
    ...(promo && { values: promoToForm(promo, currency), resetOptions: { keepDirtyValues: true } }),
  });
  const errors = form.formState.errors;
  const type = form.watch('type');
  const submit = form.handleSubmit((body) => {
    if (promo) update.mutate({ id: promo.id, changes: body });
    else create.mutate(body, { onSuccess: onCreated });
  });

  return (
    <form className="space-y-4" noValidate onSubmit={(e) => void submit(e)}>
      {save.isError && <ProblemAlert error={save.error} title="The promo code was not saved" />}
      {save.isSuccess && !form.formState.isDirty && <Alert tone="success">Saved.</Alert>}
      <div className="grid gap-4 sm:grid-cols-2">
        <Field label="Code" hint="Customers type it in any case" error={errors.code?.message}>
          {(props) => <Input {...props} {...form.register('code')} />}
        </Field>
        <Field label="Kind">
          {(props) => (
            <Select {...props} {...form.register('type')}>
              <option value="percentage">Percentage off</option>
              <option value="fixed">Fixed amount off</option>
            </Select>
          )}
        </Field>
        {type === 'percentage' ? (
          <>
            <Field
              label="Percent off"
              hint="Up to two decimals, e.g. 12.5"
              error={errors.percentOff?.message}
            >
              {(props) => <Input {...props} inputMode="decimal" {...form.register('percentOff')} />}
            </Field>
            <Field
              label={`Largest discount (${currency}, optional)`}
              error={errors.maxDiscount?.message}
            >
              {(props) => (
                <Input {...props} inputMode="decimal" {...form.register('maxDiscount')} />
              )}
            </Field>
          </>
        ) : (
          <Field label={`Amount off (${currency})`} error={errors.amountOff?.message}>
            {(props) => <Input {...props} inputMode="decimal" {...form.register('amountOff')} />}
          </Field>
        )}
        <Field
          label={`Minimum subtotal (${currency}, optional)`}
          error={errors.minSubtotal?.message}
        >
          {(props) => <Input {...props} inputMode="decimal" {...form.register('minSubtotal')} />}
        </Field>
        <Field label="Starts (UTC, optional)" error={errors.startsAt?.message}>
          {(props) => <Input {...props} type="datetime-local" {...form.register('startsAt')} />}
        </Field>
        <Field
          label="Ends (UTC, optional)"
          hint="The code stops working at this time"
          error={errors.endsAt?.message}
        >
          {(props) => <Input {...props} type="datetime-local" {...form.register('endsAt')} />}
        </Field>
        <Field label="Total uses (optional)" error={errors.usageLimit?.message}>
          {(props) => <Input {...props} inputMode="numeric" {...form.register('usageLimit')} />}
        </Field>
        <Field label="Uses per customer (optional)" error={errors.perCustomerLimit?.message}>
          {(props) => (
            <Input {...props} inputMode="numeric" {...form.register('perCustomerLimit')} />
          )}
        </Field>
      </div>
      <label className="flex items-center gap-2 text-sm text-slate-700">
        <input type="checkbox" className="h-4 w-4" {...form.register('active')} />
        Active
      </label>
      <Button type="submit" busy={save.isPending}>
        {promo ? 'Save' : 'Create promo code'}
      </Button>
    </form>
  );
}
