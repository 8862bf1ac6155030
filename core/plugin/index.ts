/**
 * The Saldo plugin SDK: everything a payment mode, gateway or discount plugin needs, and
 * nothing of Saldo's internals. A plugin is a package (or a folder) whose default export is made
 * by one of the `define*` functions; the provider enables it in Saldo's configuration by module
 * name with its options, which the plugin's own `configSchema` validates at boot.
 *
 * Self-contained: nothing here imports from outside this package, so it is published (and
 * installed by a third party) exactly as it is.
 *
 * @packageDocumentation
 */
export { z } from 'zod';
export { defineDiscount, defineGateway, definePaymentMode } from './define.js';
export * from './types.js';
export * from './money/index.js';
export { MoneyError, type MoneyErrorCode } from './errors.js';
export { LOCALES, type Locale, isLocale, intlTag } from './locale.js';
export { cardBrandName } from './card-brand.js';
export { hmacSha256, safeEqual, signTimestamped, type TimestampedCheck, verifyTimestamped } from './crypto.js';
