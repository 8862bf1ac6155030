import { intlTag, type Locale } from '../locale.js';
import { type Money, toDecimalString } from './money.js';

/** One formatter per language and currency, with the texts it made (bounded): ICU formatting is slow. */
interface Formatter { format: Intl.NumberFormat; made: Map<bigint, string> }
const formatters = new Map<string, Formatter>();

function formatter(locale: Locale, currency: string): Formatter {
  const key = `${locale}:${currency}`;
  let f = formatters.get(key);
  if (!f) {
    f = { format: new Intl.NumberFormat(intlTag[locale], { style: 'currency', currency, currencyDisplay: 'symbol' }), made: new Map() };
    formatters.set(key, f);
  }
  return f;
}

/**
 * "€1,234.56", "1 234,56 €", "1234,56 €" (Spanish groups from five digits). The amount goes to
 * Intl as an exact decimal string — Intl.NumberFormat formats strings without a float round trip.
 */
export function formatMoney(a: Money, locale: Locale): string {
  const { format, made } = formatter(locale, a.currency);
  let text = made.get(a.amount);
  if (text === undefined) {
    if (made.size >= 10_000) made.clear();
    made.set(a.amount, (text = format.format(toDecimalString(a) as unknown as number)));
  }
  return text;
}
