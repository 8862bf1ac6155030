import { MoneyError } from '../errors.js';
import type { Locale } from '../locale.js';
import { type Currency, exponentOf } from './currency.js';
import { INT64_MAX, type Money, money } from './money.js';


/**
 * How each language writes a number by hand. Grouping is optional, but when present it must be
 * well formed, so "1,5" in English (neither 1.5 nor 15) is refused instead of guessed.
 */
const notation: Record<Locale, { decimal: string; groups: RegExp; example: string }> = {
  en: { decimal: '.', groups: /^\d{1,3}(,\d{3})+$/, example: '12.50' },
  // French groups with a space, a no-break space or a narrow no-break space (what Intl prints).
  fr: { decimal: ',', groups: /^\d{1,3}([ \u00a0\u202f]\d{3})+$/, example: '12,50' },
  es: { decimal: ',', groups: /^\d{1,3}([.\u00a0\u202f ]\d{3})+$/, example: '12,50' },
};

export interface ParseOptions {
  /** Allow a leading minus (refunds, adjustments entered by an operator). Default false. */
  allowNegative?: boolean;
  /** Allow exactly zero. Default false: a payment or top-up of nothing is a mistake. */
  allowZero?: boolean;
}

/**
 * Reads an amount a person typed, in their language's notation, into exact minor units.
 * Refuses anything that is not plainly a decimal amount of this currency: exponents ("1e3"),
 * "NaN", "Infinity", hex, more decimals than the currency has, values beyond a 64-bit column.
 */
export function parseAmount(input: string, currency: Currency, locale: Locale, options: ParseOptions = {}): Money {
  const { decimal, groups, example } = notation[locale];
  const invalid = () => new MoneyError('AMOUNT_INVALID', { input: input.slice(0, 40), example });

  let text = input.trim();
  let negative = false;
  if (text.startsWith('-') || text.startsWith('\u2212')) {
    negative = true;
    text = text.slice(1).trimStart();
  }

  const [whole = '', fraction, ...rest] = text.split(decimal);
  if (rest.length > 0 || whole === '') throw invalid();
  if (!/^\d+$/.test(whole) && !groups.test(whole)) throw invalid();
  if (fraction !== undefined && !/^\d+$/.test(fraction)) throw invalid();

  const exponent = exponentOf(currency);
  const decimals = fraction ?? '';
  if (decimals.length > exponent) {
    throw new MoneyError('AMOUNT_TOO_PRECISE', { currency, decimals: exponent });
  }

  const digits = whole.replace(/\D/g, '') + decimals.padEnd(exponent, '0');
  // Compare lengths first so a 400-digit input never becomes a huge bigint.
  if (digits.replace(/^0+/, '').length > 19) throw new MoneyError('AMOUNT_OUT_OF_RANGE');
  const minor = BigInt(digits);
  if (minor > INT64_MAX) throw new MoneyError('AMOUNT_OUT_OF_RANGE');

  if (negative && minor !== 0n && !options.allowNegative) throw new MoneyError('AMOUNT_NEGATIVE');
  if (minor === 0n && !options.allowZero) throw new MoneyError('AMOUNT_NOT_POSITIVE');
  return money(negative ? -minor : minor, currency);
}

/**
 * Reads an amount given as a machine decimal string ("12.50") — the JSON API's form, whatever
 * the caller's language.
 */
export const parseDecimal = (input: string, currency: Currency, options?: ParseOptions): Money => {
  if (/[,\s]/.test(input.trim())) throw new MoneyError('AMOUNT_INVALID', { input: input.slice(0, 40), example: '12.50' });
  return parseAmount(input, currency, 'en', options);
};
