/**
 * The distributions the generator samples, shaped on the real TechStore data (categorical
 * frequencies counted in `/work/shared/data/techstore`), and the real table sizes.
 *
 * @module
 */
import { CATEGORIES, DEVICES, PAYMENT_METHODS, SOURCES } from '../tables.js';
import { Weighted } from './random.js';

/**
 * Row counts of the original dataset (scale 1), and its event-type counts.
 *
 * @example
 * ```ts
 * REAL_COUNTS.events; // 760958
 * ```
 */
export const REAL_COUNTS = {
  products: 1197,
  customers: 20_000,
  orders: 33_580,
  order_items: 59_163,
  reviews: 10_780,
  sessions: 120_000,
  events: 760_958,
  page_view: 539_343,
  add_to_cart: 143_126,
  checkout: 44_909,
  purchase: 33_580,
} as const;

/** The 17 countries, weighted like the real customers. */
export const countries = new Weighted(
  ['US', 'IN', 'GB', 'BR', 'DE', 'FR', 'MX', 'AU', 'CA', 'JP', 'ES', 'NL', 'SG', 'SE', 'PL', 'AE', 'ZA'],
  [3648, 1589, 1585, 1421, 1397, 1325, 1206, 1045, 1015, 974, 950, 874, 797, 621, 605, 560, 388],
);
/** Payment methods, weighted like the real orders. */
export const payments = new Weighted(PAYMENT_METHODS, [23455, 5032, 3373, 1720]);
/** Discounts (percent), weighted like the real orders. */
export const discounts = new Weighted([0, 5, 10, 15, 20], [14253, 4910, 4880, 4730, 4807]);
/** Devices, weighted like the real orders. */
export const devices = new Weighted(DEVICES, [18469, 12750, 2361]);
/** Traffic sources, weighted like the real orders. */
export const sources = new Weighted(SOURCES, [11268, 8387, 4121, 4024, 3056, 2724]);
/** Quantity of an order line, weighted like the real order_items. */
export const quantities = new Weighted([1, 2, 3, 4], [50241, 2941, 2941, 3040]);
/** Quantity added to a cart in one add_to_cart event. */
export const cartQuantities = new Weighted([1, 2, 3], [80, 15, 5]);
/** Review ratings, weighted like the real reviews. */
export const ratings = new Weighted([1, 2, 3, 4, 5], [423, 757, 1980, 3565, 4055]);
/** Hour of day of orders and sessions: quiet nights, a lunch and an evening peak. */
export const hours = new Weighted(
  Array.from({ length: 24 }, (_, h) => h),
  [3, 2, 1.5, 1, 1, 1.5, 2.5, 4, 5, 5.5, 6, 6.5, 7, 6.5, 6, 6, 6, 6.5, 7, 8, 8.5, 8, 6.5, 4.5],
);
/** Review texts by rating (the real dataset's, some with commas, so quoted). */
export const REVIEW_TEXTS: Record<number, readonly string[]> = {
  1: ['Very disappointed, would not buy again.', 'Broke after a week.'],
  2: ['Not great quality.', 'Arrived late.'],
  3: ['Okay overall.', 'Does the job.'],
  4: ['Good value for money!', 'Works as expected'],
  5: ['Excellent product, highly recommend!', 'Great, fast delivery'],
};
/** Product nouns per category. */
export const PRODUCT_NOUNS: Record<(typeof CATEGORIES)[number], readonly string[]> = {
  Beauty: ['Serum', 'Lipstick', 'Shampoo', 'Face Cream', 'Perfume'],
  Books: ['Novel', 'Cookbook', 'Biography', 'Atlas', 'Comic'],
  Electronics: ['SSD', 'Keyboard', 'Headphones', 'Smartwatch', 'Monitor'],
  Fashion: ['Jacket', 'Sneakers', 'Scarf', 'Jeans', 'Handbag'],
  'Home & Kitchen': ['Blender', 'Kettle', 'Pan', 'Lamp', 'Knife Set'],
  Sports: ['Yoga Mat', 'Dumbbell', 'Racket', 'Bike Helmet', 'Water Bottle'],
  Toys: ['Puzzle', 'Robot', 'Doll', 'Board Game', 'Kite'],
};
/** Colours in product names. */
export const COLOURS = ['MediumBlue', 'DeepPink', 'Orchid', 'BurlyWood', 'Cornsilk', 'Teal', 'Salmon', 'Olive', 'Crimson', 'SlateGray'] as const;
/** First names of customers (a few non-ASCII, as in the monthly batches). */
export const FIRST_NAMES = ['Jennifer', 'Phillip', 'Ana', 'Liam', 'Sofia', 'Kenji', 'Priya', 'Lukas', 'Chloé', 'Mateo', 'Emma', 'Noah', 'Aisha', 'Olivia', 'Jonas', 'Mei'] as const;
/** Last names of customers. */
export const LAST_NAMES = ['Salinas', 'Ramos', 'Pereira', "O'Connor", 'Müller', 'García', 'Tanaka', 'Sharma', 'Smith', 'Johnson', 'Nowak', 'Dubois', 'Rossi', 'Jensen', 'Khan', 'Chen'] as const;
