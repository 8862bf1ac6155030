import { MoneyError } from '../errors.js';
import { type Money, money } from './money.js';

/** An exact fraction: 3% is { numerator: 3n, denominator: 100n }. Never a float. */
export interface Ratio {
  readonly numerator: bigint;
  readonly denominator: bigint;
}

/**
 * How a fraction of a minor unit is resolved. There is no default: every caller says which rule
 * applies (half-even for tax totals, down for discounts a provider must never over-give, …).
 */
export type Rounding = 'half-even' | 'half-up' | 'half-down' | 'up' | 'down' | 'ceil' | 'floor';

/** Parses a percentage written with a dot: "3", "12.5", "0.25". */
export function percent(value: string | number): Ratio {
  const text = String(value);
  const match = /^(\d{1,9})(?:\.(\d{1,6}))?$/.exec(text);
  if (!match) throw new MoneyError('RATIO_INVALID', { input: text });
  const decimals = match[2] ?? '';
  return {
    numerator: BigInt(match[1]! + decimals),
    denominator: 100n * 10n ** BigInt(decimals.length),
  };
}

export function ratio(numerator: bigint, denominator: bigint): Ratio {
  if (denominator <= 0n) throw new MoneyError('RATIO_INVALID', { input: `${numerator}/${denominator}` });
  return { numerator, denominator };
}

/** Integer division of n by d (d > 0) rounded by the given rule. */
export function divide(n: bigint, d: bigint, rounding: Rounding): bigint {
  if (d <= 0n) throw new MoneyError('RATIO_INVALID', { input: `${n}/${d}` });
  const q = n / d; // truncates toward zero
  const r = n % d;
  if (r === 0n) return q;
  const sign = n < 0n ? -1n : 1n;
  const twice = 2n * (r < 0n ? -r : r);
  switch (rounding) {
    case 'down':
      return q;
    case 'up':
      return q + sign;
    case 'floor':
      return sign < 0n ? q - 1n : q;
    case 'ceil':
      return sign > 0n ? q + 1n : q;
    case 'half-up':
      return twice >= d ? q + sign : q;
    case 'half-down':
      return twice > d ? q + sign : q;
    case 'half-even':
      if (twice > d) return q + sign;
      if (twice < d) return q;
      return q % 2n === 0n ? q : q + sign;
  }
}

/** amount × ratio, rounded to a whole minor unit by the rule given. */
export function multiply(a: Money, by: Ratio, rounding: Rounding): Money {
  return money(divide(a.amount * by.numerator, by.denominator, rounding), a.currency);
}

/** Shorthand for `multiply(a, percent(p), rounding)`: 3% of 99.99 EUR, rounded half-even. */
export const percentage = (a: Money, p: string | number, rounding: Rounding): Money =>
  multiply(a, percent(p), rounding);
