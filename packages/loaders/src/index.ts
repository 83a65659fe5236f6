/**
 * `@lakeblocks/loaders` — not built yet: its work is tracked in issue 5. Nothing is exported until
 * then, so nothing here can be mistaken for a working implementation.
 *
 * @packageDocumentation
 */
export {};
