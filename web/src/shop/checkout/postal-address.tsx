import { countryName } from './countries';
import { regionName } from './regions';

export interface PostalAddressValue {
  name: string;
  line1: string;
  line2?: string | undefined;
  city: string;
  region?: string | undefined;
  postalCode: string;
  country: string;
  phone?: string | undefined;
}

/** An address as people write it: name, lines, postal code, city and region, country, phone. */
export function PostalAddress({ address }: { address: PostalAddressValue }) {
  return (
    <address className="text-sm not-italic text-slate-700">
      {address.name}
      <br />
      {address.line1}
      {address.line2 && (
        <>
          <br />
          {address.line2}
        </>
      )}
      <br />
      {address.postalCode} {address.city}
      {address.region && <>, {regionName(address.region)}</>}
      <br />
      {countryName(address.country)}
      {address.phone && (
        <>
          <br />
          {address.phone}
        </>
      )}
    </address>
  );
}
