export { LoadersError, isLoadersError } from './loaders-error.js';
export type { LoadersErrorTag, LoadersErrorContext, LoadersErrorOptions } from './loaders-error.js';
