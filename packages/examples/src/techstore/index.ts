/**
 * The TechStore example lake: processed table definitions and curated models.
 *
 * @module
 */
export * from './tables.js';
export * from './models/index.js';
