export { TransformError } from './transform-error.js';
export type { TransformErrorTag, TransformErrorOptions } from './transform-error.js';
