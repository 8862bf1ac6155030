/**
 * The Saldo plugin SDK: everything a payment mode, gateway or discount plugin needs, and
 * nothing of Saldo's internals. A plugin is a package (or a folder) whose default export is made
 * by one of the `define*` functions; the provider enables it in Saldo's configuration by module
 * name with its options, which the plugin's own `configSchema` validates at boot.
 *
 * @packageDocumentation
 */
export { z } from 'zod';
export { defineDiscount, defineGateway, definePaymentMode } from './define.js';
export * from './types.js';
export {
  type Currency, type Money, type Rounding, type Ratio, money, zero, add, subtract, compare, isZero, isNegative,
  allocate, multiply, percent, percentage, parseDecimal, toDecimalString, formatMoney,
} from '../money/index.js';
