/**
 * `@lakeblocks/examples` — not built yet: its work is tracked in issue 6. Nothing is exported until
 * then, so nothing here can be mistaken for a working implementation.
 *
 * @packageDocumentation
 */
export {};
