import { cardBrandName } from '@saldo/sdk';

/** Card brands the gateway can tell apart by a number's first digits (its BIN range). */
export const BRANDS = ['visa', 'mastercard', 'amex', 'discover', 'unknown'] as const;
export type Brand = (typeof BRANDS)[number];

/** How customers read a brand (the SDK's names of card networks). */
export const brandLabel = (brand: Brand): string => (brand === 'unknown' ? '?' : cardBrandName(brand));

/** The brand of a card number (digits only). */
export function brandOf(digits: string): Brand {
  if (/^4/.test(digits)) return 'visa';
  const two = Number(digits.slice(0, 2));
  const four = Number(digits.slice(0, 4));
  if ((two >= 51 && two <= 55) || (four >= 2221 && four <= 2720)) return 'mastercard';
  if (/^3[47]/.test(digits)) return 'amex';
  if (/^(6011|65|64[4-9])/.test(digits)) return 'discover';
  return 'unknown';
}

/** The Luhn check digit holds: a mistyped number is caught before it goes anywhere. */
export function luhnValid(digits: string): boolean {
  if (!/^\d{12,19}$/.test(digits)) return false;
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
    sum += d;
  }
  return sum % 10 === 0;
}
