import { MoneyError } from '../errors.js';

/**
 * ISO 4217 minor-unit exponents of the currencies Saldo accepts. Explicit rather than read from
 * ICU, whose digits differ from ISO for a few currencies: the number of decimals a customer may
 * type and the ledger stores must not depend on the Node build.
 */
const exponents = {
  EUR: 2, USD: 2, GBP: 2, CHF: 2, CAD: 2, AUD: 2, NZD: 2, ZAR: 2, SEK: 2, NOK: 2, DKK: 2,
  PLN: 2, CZK: 2, HUF: 2, RON: 2, BGN: 2, TRY: 2, MXN: 2, BRL: 2, ARS: 2, COP: 2, PEN: 2,
  UYU: 2, MAD: 2, INR: 2, CNY: 2, SGD: 2, HKD: 2,
  JPY: 0, KRW: 0, CLP: 0, ISK: 0, XOF: 0, XAF: 0, PYG: 0,
  BHD: 3, KWD: 3, JOD: 3, OMR: 3, TND: 3,
} as const;

export type Currency = keyof typeof exponents;

export const currencies = Object.keys(exponents) as Currency[];

export function isCurrency(code: unknown): code is Currency {
  return typeof code === 'string' && Object.hasOwn(exponents, code);
}

/** The validated currency, or CURRENCY_UNKNOWN naming what was given. */
export function currency(code: string): Currency {
  if (!isCurrency(code)) throw new MoneyError('CURRENCY_UNKNOWN', { currency: code });
  return code;
}

/** Number of decimal places of the currency's minor unit (EUR 2, JPY 0, KWD 3). */
export function exponentOf(code: Currency): number {
  return exponents[code];
}
