import type { UseFormReturn } from 'react-hook-form';
import { Field, Input, Select } from '../../ui';
import type { AddressFormValues } from './address-form';
import { countryOptions } from './countries';
import { hasRegions, regionLabel, regionOptions } from './regions';

// Named in the browser's language; the value sent is the ISO code.
const countries = countryOptions();

/**
 * The fields of a postal address, for the checkout and the address book: the country from a
 * list, then its state or province from the country's list where it has one, and a phone.
 */
export function AddressFields<Context, Result>({
  form,
}: {
  form: UseFormReturn<AddressFormValues, Context, Result>;
}) {
  const errors = form.formState.errors;
  const country = form.watch('country');
  const regionField = form.register('region');
  return (
    <>
      <Field label="Full name" error={errors.name?.message} className="sm:col-span-2">
        {(props) => <Input {...props} autoComplete="name" {...form.register('name')} />}
      </Field>
      <Field label="Address line 1" error={errors.line1?.message} className="sm:col-span-2">
        {(props) => <Input {...props} autoComplete="address-line1" {...form.register('line1')} />}
      </Field>
      <Field
        label="Address line 2 (optional)"
        error={errors.line2?.message}
        className="sm:col-span-2"
      >
        {(props) => <Input {...props} autoComplete="address-line2" {...form.register('line2')} />}
      </Field>
      <Field label="City" error={errors.city?.message}>
        {(props) => <Input {...props} autoComplete="address-level2" {...form.register('city')} />}
      </Field>
      <Field label="Postal code" error={errors.postalCode?.message}>
        {(props) => (
          <Input {...props} autoComplete="postal-code" {...form.register('postalCode')} />
        )}
      </Field>
      <Field label="Country" error={errors.country?.message}>
        {(props) => {
          const field = form.register('country');
          return (
            <Select
              {...props}
              autoComplete="country"
              {...field}
              onChange={(event) => {
                // Another country's regions are not this one's.
                form.setValue('region', '');
                void field.onChange(event);
              }}
            >
              <option value="">Choose the country</option>
              {countries.map((option) => (
                <option key={option.code} value={option.code}>
                  {option.name}
                </option>
              ))}
            </Select>
          );
        }}
      </Field>
      {hasRegions(country) ? (
        <Field label={regionLabel(country)} error={errors.region?.message}>
          {(props) => (
            <Select {...props} autoComplete="address-level1" {...regionField}>
              <option value="">Choose the {regionLabel(country).toLowerCase()}</option>
              {regionOptions(country).map((option) => (
                <option key={option.code} value={option.code}>
                  {option.name}
                </option>
              ))}
            </Select>
          )}
        </Field>
      ) : null}
      <Field label="Phone (optional)" error={errors.phone?.message} className="sm:col-span-2">
        {(props) => <Input {...props} type="tel" autoComplete="tel" {...form.register('phone')} />}
      </Field>
    </>
  );
}
