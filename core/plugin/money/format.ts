import { intlTag, type Locale } from '../locale.js';
import { type Money, toDecimalString } from './money.js';

/** One formatter per language and currency: an Intl formatter is slow to make. */
const formatters = new Map<string, Intl.NumberFormat>();

function formatter(locale: Locale, currency: string): Intl.NumberFormat {
  const key = `${locale}:${currency}`;
  let nf = formatters.get(key);
  if (!nf) {
    nf = new Intl.NumberFormat(intlTag[locale], { style: 'currency', currency, currencyDisplay: 'symbol' });
    formatters.set(key, nf);
  }
  return nf;
}

/**
 * "€1,234.56", "1 234,56 €", "1234,56 €" (Spanish groups from five digits). The amount goes to
 * Intl as an exact decimal string — Intl.NumberFormat formats strings without a float round trip.
 */
export function formatMoney(a: Money, locale: Locale): string {
  return formatter(locale, a.currency).format(toDecimalString(a) as unknown as number);
}
