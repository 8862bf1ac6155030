/** The codes money operations refuse with; Saldo maps each to a localized message and a 422. */
export type MoneyErrorCode =
  | 'AMOUNT_INVALID'
  | 'AMOUNT_NOT_POSITIVE'
  | 'AMOUNT_NEGATIVE'
  | 'AMOUNT_TOO_PRECISE'
  | 'AMOUNT_OUT_OF_RANGE'
  | 'CURRENCY_UNKNOWN'
  | 'CURRENCY_MISMATCH'
  | 'RATIO_INVALID';

/**
 * What a money operation throws when its input is not an amount it can work with exactly: an
 * unknown currency, two currencies mixed, a float, a value beyond a 64-bit column. The `code` is
 * stable; `params` say what was given, for the message the customer reads.
 *
 * @example
 * ```ts
 * import { MoneyError, parseDecimal } from '@saldo/sdk';
 *
 * try {
 *   parseDecimal('12.345', 'EUR');
 * } catch (error) {
 *   if (error instanceof MoneyError) console.log(error.code); // AMOUNT_TOO_PRECISE
 * }
 * ```
 */
export class MoneyError extends Error {
  override readonly name = 'MoneyError';

  constructor(
    readonly code: MoneyErrorCode,
    readonly params: Readonly<Record<string, string | number>> = {},
  ) {
    const details = Object.entries(params).map(([key, value]) => `${key}=${JSON.stringify(value)}`).join(', ');
    super(details ? `${code} (${details})` : code);
  }
}
