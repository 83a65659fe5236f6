/**
 * The 109 merchant category codes of the generated `mcc_codes.json` (ISO 18245 codes with their
 * usual descriptions), and how often each appears in generated transactions.
 *
 * @module
 */

/**
 * Code → description, in ascending code order: exactly what `mcc_codes.json` holds.
 *
 * @example
 * ```ts
 * MCC_CODES['5812']; // 'Eating Places and Restaurants'
 * Object.keys(MCC_CODES).length; // 109
 * ```
 */
export const MCC_CODES: Readonly<Record<string, string>> = {
  '1711': 'Heating, Plumbing, Air Conditioning Contractors',
  '1731': 'Electrical Contractors',
  '1750': 'Carpentry Contractors',
  '1761': 'Roofing, Siding, and Sheet Metal Contractors',
  '1799': 'Special Trade Contractors',
  '3000': 'Airlines',
  '3001': 'Airlines - American Airlines',
  '3005': 'Airlines - British Airways',
  '3006': 'Airlines - Japan Air Lines',
  '3007': 'Airlines - Air France',
  '3008': 'Airlines - Lufthansa',
  '3009': 'Airlines - Air Canada',
  '3058': 'Airlines - Delta',
  '3066': 'Airlines - Southwest',
  '3075': 'Airlines - Singapore Airlines',
  '3132': 'Airlines - Frontier',
  '3144': 'Airlines - Virgin Atlantic',
  '3174': 'Airlines - JetBlue',
  '3256': 'Airlines - Alaska Airlines',
  '3260': 'Airlines - Spirit Airlines',
  '3359': 'Car Rental - Payless',
  '3387': 'Car Rental - Alamo',
  '3389': 'Car Rental - Avis',
  '3390': 'Car Rental - Dollar',
  '3393': 'Car Rental - National',
  '3395': 'Car Rental - Thrifty',
  '3405': 'Car Rental - Enterprise',
  '3504': 'Hotels - Hilton',
  '3509': 'Hotels - Marriott',
  '3596': 'Hotels - Wyndham',
  '3640': 'Hotels - Hyatt',
  '3684': 'Hotels - Budget Host Inns',
  '3722': 'Hotels - Wyndham Garden',
  '3771': 'Hotels - Caesars',
  '3775': 'Hotels - Venetian',
  '4111': 'Local and Suburban Commuter Transportation',
  '4112': 'Passenger Railways',
  '4121': 'Taxicabs and Limousines',
  '4131': 'Bus Lines',
  '4214': 'Motor Freight Carriers and Trucking',
  '4411': 'Cruise Lines',
  '4511': 'Airlines and Air Carriers',
  '4722': 'Travel Agencies and Tour Operators',
  '4784': 'Tolls and Bridge Fees',
  '4814': 'Telecommunication Services',
  '4816': 'Computer Network Services',
  '4829': 'Money Transfer',
  '4899': 'Cable, Satellite and Other Pay Television Services',
  '4900': 'Utilities - Electric, Gas, Water, Sanitary',
  '5045': 'Computers, Computer Peripheral Equipment',
  '5094': 'Precious Stones and Metals, Watches and Jewelry',
  '5192': 'Books, Periodicals, and Newspapers',
  '5193': 'Florists Supplies, Nursery Stock, and Flowers',
  '5211': 'Lumber and Building Materials Stores',
  '5251': 'Hardware Stores',
  '5261': 'Lawn and Garden Supply Stores',
  '5300': 'Wholesale Clubs',
  '5310': 'Discount Stores',
  '5311': 'Department Stores',
  '5411': 'Grocery Stores, Supermarkets',
  '5422': 'Freezer and Locker Meat Provisioners',
  '5441': 'Candy, Nut, and Confectionery Stores',
  '5451': 'Dairy Products Stores',
  '5462': 'Bakeries',
  '5499': 'Miscellaneous Food Stores',
  '5533': 'Automotive Parts and Accessories Stores',
  '5541': 'Service Stations',
  '5621': "Women's Ready-To-Wear Stores",
  '5651': 'Family Clothing Stores',
  '5655': 'Sports Apparel, Riding Apparel Stores',
  '5661': 'Shoe Stores',
  '5712': 'Furniture, Home Furnishings, and Equipment Stores',
  '5719': 'Miscellaneous Home Furnishing Stores',
  '5722': 'Household Appliance Stores',
  '5732': 'Electronics Stores',
  '5733': 'Music Stores - Musical Instruments',
  '5812': 'Eating Places and Restaurants',
  '5813': 'Drinking Places (Alcoholic Beverages)',
  '5814': 'Fast Food Restaurants',
  '5815': 'Digital Goods - Media, Books, Apps',
  '5816': 'Digital Goods - Games',
  '5912': 'Drug Stores and Pharmacies',
  '5921': 'Package Stores, Beer, Wine, Liquor',
  '5932': 'Antique Shops',
  '5941': 'Sporting Goods Stores',
  '5942': 'Book Stores',
  '5947': 'Gift, Card, Novelty and Souvenir Shops',
  '5970': 'Artist Supply Stores, Craft Shops',
  '5977': 'Cosmetic Stores',
  '5995': 'Pet Shops, Pet Food, and Supplies',
  '7011': 'Lodging - Hotels, Motels, Resorts',
  '7210': 'Laundry Services',
  '7230': 'Beauty and Barber Shops',
  '7276': 'Tax Preparation Services',
  '7349': 'Cleaning and Maintenance Services',
  '7393': 'Detective Agencies, Security Services',
  '7531': 'Automotive Body Repair Shops',
  '7538': 'Automotive Service Shops',
  '7542': 'Car Washes',
  '7549': 'Towing Services',
  '7801': 'Betting (including Lottery Tickets, Casino Gaming Chips)',
  '7832': 'Motion Picture Theaters',
  '7922': 'Theatrical Producers',
  '7996': 'Amusement Parks, Carnivals, Circuses',
  '8011': 'Doctors, Physicians',
  '8021': 'Dentists and Orthodontists',
  '8043': 'Optometrists, Optical Goods and Eyeglasses',
  '8062': 'Hospitals',
  '8099': 'Medical Services',
};

/** Everyday codes that dominate card spending, with their relative frequency (others weigh 1). */
const COMMON: Readonly<Record<string, number>> = {
  '5411': 120, '5812': 90, '5541': 90, '5499': 80, '5814': 70, '4829': 50, '5311': 40, '5912': 40, '4784': 35,
  '5300': 30, '5310': 30, '4121': 25, '7538': 20, '5813': 20, '4900': 20, '4814': 15, '5942': 10, '7832': 10,
  '5815': 10, '5732': 8, '7230': 8, '8011': 8, '8099': 6, '5661': 6, '5651': 6,
};

/**
 * The codes and their weights for picking a merchant's category.
 *
 * @example
 * ```ts
 * MCC_WEIGHTS.codes.length === MCC_WEIGHTS.weights.length; // true
 * ```
 */
export const MCC_WEIGHTS: { readonly codes: readonly number[]; readonly weights: readonly number[] } = {
  codes: Object.keys(MCC_CODES).map(Number),
  weights: Object.keys(MCC_CODES).map((c) => COMMON[c] ?? 1),
};
