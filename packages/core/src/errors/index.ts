export { CoreError, isRetryable } from './core-error.js';
export type { CoreErrorTag, CoreErrorOptions, ErrorContext } from './core-error.js';
