/**
 * Types of the routes API.md fixes but today's server does not serve yet: none at the
 * moment. Hand-written from API.md; once a route appears in the OpenAPI document, its type
 * moves to types.ts as a name for the generated one (the coverage test lists these routes).
 */
export {};
