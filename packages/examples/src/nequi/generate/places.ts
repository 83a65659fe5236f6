/**
 * Places for generated users and merchants: US states with a centre, a ZIP range and a few towns;
 * foreign countries (written into `merchant_state`, as the original does); street names.
 *
 * @module
 */

/**
 * A US state: code, approximate centre, first ZIP code and towns.
 *
 * @example
 * ```ts
 * const s: UsState = { code: 'ND', lat: 47.5, lon: -100.5, zip: 58001, towns: ['Beulah'] };
 * ```
 */
export interface UsState {
  code: string;
  lat: number;
  lon: number;
  zip: number;
  towns: readonly string[];
}

/**
 * US states used by the generator (a subset is enough for plausible data).
 *
 * @example
 * ```ts
 * US_STATES.find((s) => s.code === 'CA')?.towns.includes('Monterey Park'); // true
 * ```
 */
export const US_STATES: readonly UsState[] = [
  { code: 'CA', lat: 36.7, lon: -119.4, zip: 90001, towns: ['Los Angeles', 'Monterey Park', 'San Diego', 'Fresno', 'Sacramento', 'Oakland', 'San Jose', 'Riverside'] },
  { code: 'TX', lat: 31.0, lon: -99.9, zip: 75001, towns: ['Houston', 'Dallas', 'Austin', 'San Antonio', 'El Paso', 'Plano', 'Lubbock'] },
  { code: 'NY', lat: 42.9, lon: -75.5, zip: 10001, towns: ['New York', 'Brooklyn', 'Buffalo', 'Rochester', 'Albany', 'Yonkers', 'Holtsville'] },
  { code: 'FL', lat: 27.8, lon: -81.7, zip: 32003, towns: ['Miami', 'Orlando', 'Tampa', 'Jacksonville', 'Tallahassee', 'Hialeah'] },
  { code: 'IL', lat: 40.0, lon: -89.2, zip: 60001, towns: ['Chicago', 'Aurora', 'Naperville', 'Peoria', 'Springfield'] },
  { code: 'PA', lat: 41.2, lon: -77.2, zip: 15001, towns: ['Philadelphia', 'Pittsburgh', 'Allentown', 'Erie', 'Scranton'] },
  { code: 'OH', lat: 40.4, lon: -82.9, zip: 43001, towns: ['Columbus', 'Cleveland', 'Cincinnati', 'Toledo', 'Akron'] },
  { code: 'GA', lat: 32.2, lon: -83.4, zip: 30002, towns: ['Atlanta', 'Savannah', 'Augusta', 'Macon'] },
  { code: 'NC', lat: 35.6, lon: -79.0, zip: 27006, towns: ['Charlotte', 'Raleigh', 'Durham', 'Greensboro'] },
  { code: 'MI', lat: 44.3, lon: -85.6, zip: 48001, towns: ['Detroit', 'Grand Rapids', 'Lansing', 'Flint'] },
  { code: 'NJ', lat: 40.1, lon: -74.4, zip: 7001, towns: ['Newark', 'Jersey City', 'Paterson', 'Trenton'] },
  { code: 'MA', lat: 42.4, lon: -71.4, zip: 1001, towns: ['Boston', 'Worcester', 'Springfield', 'Cambridge'] },
  { code: 'WA', lat: 47.8, lon: -120.7, zip: 98001, towns: ['Seattle', 'Spokane', 'Tacoma', 'Vancouver'] },
  { code: 'AZ', lat: 34.0, lon: -111.1, zip: 85001, towns: ['Phoenix', 'Tucson', 'Mesa', 'Chandler'] },
  { code: 'CO', lat: 39.1, lon: -105.4, zip: 80001, towns: ['Denver', 'Aurora', 'Colorado Springs', 'Boulder'] },
  { code: 'MD', lat: 39.0, lon: -76.6, zip: 20601, towns: ['Baltimore', 'Harwood', 'Rockville', 'Frederick'] },
  { code: 'ND', lat: 47.5, lon: -100.5, zip: 58001, towns: ['Beulah', 'Fargo', 'Bismarck', 'Minot'] },
  { code: 'MN', lat: 46.7, lon: -94.7, zip: 55001, towns: ['Minneapolis', 'Saint Paul', 'Rochester', 'Duluth'] },
  { code: 'TN', lat: 35.5, lon: -86.6, zip: 37010, towns: ['Nashville', 'Memphis', 'Knoxville', 'Chattanooga'] },
  { code: 'LA', lat: 30.9, lon: -92.0, zip: 70001, towns: ['New Orleans', 'Baton Rouge', 'Shreveport', 'Lafayette'] },
];

/**
 * Foreign countries, written in `merchant_state` for foreign merchants (city set, ZIP empty).
 *
 * @example
 * ```ts
 * FOREIGN.find((f) => f.country === 'Italy')?.towns[0]; // 'Rome'
 * ```
 */
export const FOREIGN: readonly { country: string; towns: readonly string[] }[] = [
  { country: 'Italy', towns: ['Rome', 'Milan', 'Florence'] },
  { country: 'Mexico', towns: ['Cancun', 'Mexico City', 'Tijuana'] },
  { country: 'Canada', towns: ['Toronto', 'Vancouver', 'Montreal'] },
  { country: 'United Kingdom', towns: ['London', 'Manchester'] },
  { country: 'France', towns: ['Paris', 'Nice'] },
  { country: 'Germany', towns: ['Berlin', 'Munich'] },
  { country: 'Japan', towns: ['Tokyo', 'Osaka'] },
  { country: 'Dominican Republic', towns: ['Punta Cana', 'Santo Domingo'] },
  { country: 'Netherlands', towns: ['Amsterdam'] },
  { country: 'Spain', towns: ['Madrid', 'Barcelona'] },
];

/**
 * Street names and suffixes for generated addresses.
 *
 * @example
 * ```ts
 * `462 ${STREETS[0]} ${STREET_SUFFIXES[0]}`; // '462 Rose Lane'
 * ```
 */
export const STREETS = ['Rose', 'Federal', 'Oak', 'Maple', 'Cedar', 'Elm', 'Pine', 'Washington', 'Lake', 'Hill', 'Park', 'Main', 'Sunset', 'River', 'Spruce', 'Highland', 'Valley', 'Forest', 'Madison', 'Lincoln'] as const;
/**
 * Street suffixes for generated addresses (see {@link STREETS}).
 *
 * @example
 * ```ts
 * STREET_SUFFIXES.includes('Lane'); // true
 * ```
 */
export const STREET_SUFFIXES = ['Lane', 'Boulevard', 'Street', 'Avenue', 'Drive', 'Court', 'Way', 'Road'] as const;
