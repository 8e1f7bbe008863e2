/**
 * Regions of a country (ISO 3166-2 subdivision codes such as `US-CA`): where an address may
 * name one. The one list, read by the address schemas (a region that is not the country's is
 * 400 VALIDATION_FAILED) and by the web checkout's region list. The countries listed here are
 * those whose addresses need a region to be delivered and taxed (states, provinces and
 * territories); for any other country a region is optional and checked by its shape only: the
 * country's code, a hyphen, and one to three letters or digits.
 */
export const countryRegions: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  US: {
    'US-AL': 'Alabama',
    'US-AK': 'Alaska',
    'US-AZ': 'Arizona',
    'US-AR': 'Arkansas',
    'US-CA': 'California',
    'US-CO': 'Colorado',
    'US-CT': 'Connecticut',
    'US-DE': 'Delaware',
    'US-DC': 'District of Columbia',
    'US-FL': 'Florida',
    'US-GA': 'Georgia',
    'US-HI': 'Hawaii',
    'US-ID': 'Idaho',
    'US-IL': 'Illinois',
    'US-IN': 'Indiana',
    'US-IA': 'Iowa',
    'US-KS': 'Kansas',
    'US-KY': 'Kentucky',
    'US-LA': 'Louisiana',
    'US-ME': 'Maine',
    'US-MD': 'Maryland',
    'US-MA': 'Massachusetts',
    'US-MI': 'Michigan',
    'US-MN': 'Minnesota',
    'US-MS': 'Mississippi',
    'US-MO': 'Missouri',
    'US-MT': 'Montana',
    'US-NE': 'Nebraska',
    'US-NV': 'Nevada',
    'US-NH': 'New Hampshire',
    'US-NJ': 'New Jersey',
    'US-NM': 'New Mexico',
    'US-NY': 'New York',
    'US-NC': 'North Carolina',
    'US-ND': 'North Dakota',
    'US-OH': 'Ohio',
    'US-OK': 'Oklahoma',
    'US-OR': 'Oregon',
    'US-PA': 'Pennsylvania',
    'US-RI': 'Rhode Island',
    'US-SC': 'South Carolina',
    'US-SD': 'South Dakota',
    'US-TN': 'Tennessee',
    'US-TX': 'Texas',
    'US-UT': 'Utah',
    'US-VT': 'Vermont',
    'US-VA': 'Virginia',
    'US-WA': 'Washington',
    'US-WV': 'West Virginia',
    'US-WI': 'Wisconsin',
    'US-WY': 'Wyoming',
    'US-AS': 'American Samoa',
    'US-GU': 'Guam',
    'US-MP': 'Northern Mariana Islands',
    'US-PR': 'Puerto Rico',
    'US-UM': 'United States Minor Outlying Islands',
    'US-VI': 'U.S. Virgin Islands',
  },
  CA: {
    'CA-AB': 'Alberta',
    'CA-BC': 'British Columbia',
    'CA-MB': 'Manitoba',
    'CA-NB': 'New Brunswick',
    'CA-NL': 'Newfoundland and Labrador',
    'CA-NS': 'Nova Scotia',
    'CA-NT': 'Northwest Territories',
    'CA-NU': 'Nunavut',
    'CA-ON': 'Ontario',
    'CA-PE': 'Prince Edward Island',
    'CA-QC': 'Quebec',
    'CA-SK': 'Saskatchewan',
    'CA-YT': 'Yukon',
  },
};

const SHAPE = /^([A-Z]{2})-[A-Z0-9]{1,3}$/;

/**
 * Why `region` is not a region of `country` (both upper case), or undefined when it is: one of
 * the country's listed regions, or, for a country without a list, a code of the right shape.
 */
export function regionProblem(country: string, region: string): string | undefined {
  const listed = countryRegions[country];
  if (listed) {
    return Object.hasOwn(listed, region)
      ? undefined
      : `not a region of ${country}: use its ISO 3166-2 code, such as ${Object.keys(listed)[0]}`;
  }
  const shape = SHAPE.exec(region);
  if (!shape) return 'an ISO 3166-2 subdivision code, such as US-CA';
  return shape[1] === country ? undefined : `a region of ${shape[1]}, not of ${country}`;
}

/** A country's regions as `{code, name}` by name, for a <select>; empty for a country without a list. */
export function regionOptions(country: string): { code: string; name: string }[] {
  return Object.entries(countryRegions[country] ?? {})
    .map(([code, name]) => ({ code, name }))
    .sort((a, b) => a.name.localeCompare(b.name, 'en'));
}
