import { MoneyError } from '../errors.js';
import { type Currency, currency as checkCurrency, exponentOf } from './currency.js';

/** An amount of money: integer minor units (cents) of one currency. Immutable. */
export interface Money {
  readonly amount: bigint;
  readonly currency: Currency;
}

/** Bounds of a PostgreSQL bigint, the column every amount is stored in. */
export const INT64_MAX = 9_223_372_036_854_775_807n;
export const INT64_MIN = -9_223_372_036_854_775_808n;

function inRange(amount: bigint): bigint {
  if (amount > INT64_MAX || amount < INT64_MIN) throw new MoneyError('AMOUNT_OUT_OF_RANGE');
  return amount;
}

/** Builds Money from minor units; a number is accepted only when it is a safe integer. */
export function money(amount: bigint | number, currency: Currency | string): Money {
  if (typeof amount === 'number' && !Number.isSafeInteger(amount)) {
    throw new MoneyError('AMOUNT_INVALID', { input: String(amount), example: '1250' });
  }
  return Object.freeze({ amount: inRange(BigInt(amount)), currency: checkCurrency(currency) });
}

export const zero = (currency: Currency): Money => money(0n, currency);

export function assertSameCurrency(a: Money, b: Money): void {
  if (a.currency !== b.currency) {
    throw new MoneyError('CURRENCY_MISMATCH', { expected: a.currency, actual: b.currency });
  }
}

export function add(a: Money, b: Money): Money {
  assertSameCurrency(a, b);
  return money(a.amount + b.amount, a.currency);
}

export function subtract(a: Money, b: Money): Money {
  assertSameCurrency(a, b);
  return money(a.amount - b.amount, a.currency);
}

export const negate = (a: Money): Money => money(-a.amount, a.currency);

/** Multiplies by a whole quantity (a cart line's count); fractional factors go through `multiply`. */
export function times(a: Money, quantity: bigint | number): Money {
  if (typeof quantity === 'number' && !Number.isSafeInteger(quantity)) {
    throw new MoneyError('RATIO_INVALID', { input: String(quantity) });
  }
  return money(a.amount * BigInt(quantity), a.currency);
}

export function sum(items: readonly Money[], currency: Currency): Money {
  return items.reduce((total, item) => add(total, item), zero(currency));
}

/** -1, 0 or 1, like a comparator. */
export function compare(a: Money, b: Money): -1 | 0 | 1 {
  assertSameCurrency(a, b);
  return a.amount < b.amount ? -1 : a.amount > b.amount ? 1 : 0;
}

export const equals = (a: Money, b: Money): boolean => a.currency === b.currency && a.amount === b.amount;
export const isZero = (a: Money): boolean => a.amount === 0n;
export const isNegative = (a: Money): boolean => a.amount < 0n;
export const isPositive = (a: Money): boolean => a.amount > 0n;
export const min = (a: Money, b: Money): Money => (compare(a, b) <= 0 ? a : b);
export const max = (a: Money, b: Money): Money => (compare(a, b) >= 0 ? a : b);

/** "1234.56" for EUR 123456: exact decimal text, for Intl, CSV and JSON. */
export function toDecimalString(a: Money): string {
  const exponent = exponentOf(a.currency);
  const digits = (a.amount < 0n ? -a.amount : a.amount).toString().padStart(exponent + 1, '0');
  const sign = a.amount < 0n ? '-' : '';
  if (exponent === 0) return sign + digits;
  return `${sign}${digits.slice(0, -exponent)}.${digits.slice(-exponent)}`;
}

/** JSON form used by the API: an exact decimal string, so no client reads it into a float. */
export const toJSON = (a: Money) => ({ amount: toDecimalString(a), currency: a.currency });
