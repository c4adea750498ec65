// The policy engine's public surface. Pure: no I/O, HTTP or database imports anywhere below.
export * from './wire.js';
export * from './rules.js';
export * from './selectors.js';
export * from './issues.js';
export * from './duration.js';
export * from './ip.js';
export * from './identity.js';
export * from './env.js';
export * from './groups.js';
export * from './outcome.js';
export * from './validate.js';
export * from './interpreter.js';
export * from './compile.js';
export * from './external.js';
export * from './references.js';
export * from './lint.js';
