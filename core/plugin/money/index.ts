export * from './currency.js';
export * from './money.js';
export * from './ratio.js';
export * from './allocate.js';
export * from './parse.js';
export * from './format.js';
