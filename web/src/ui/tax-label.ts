/** What an order or a quote says about its tax. */
export interface TaxTerms {
  taxIncluded: boolean;
  taxRate?: number | null | undefined;
  taxName?: string | null | undefined;
}

/**
 * The label of the tax line: "Tax" added to net prices, "Includes tax" for gross ones, with
 * the rate's name and percentage when the order knows them ("Tax (VAT 19%)").
 */
export function taxLabel(terms: TaxTerms): string {
  const head = terms.taxIncluded ? 'Includes tax' : 'Tax';
  if (terms.taxRate === null || terms.taxRate === undefined) return head;
  return `${head} (${terms.taxName ? `${terms.taxName} ` : ''}${terms.taxRate}%)`;
}
