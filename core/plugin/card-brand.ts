/**
 * Card networks by the codes processors use for them (`visa`, `mastercard`, …), as customers
 * read them. A gateway reports a saved card's brand by its code (`SavedMethod.brand`); pages,
 * statements and descriptions show this name.
 */
const brandNames: Readonly<Record<string, string>> = {
  visa: 'Visa', mastercard: 'Mastercard', amex: 'American Express', discover: 'Discover', diners: 'Diners Club', jcb: 'JCB', unionpay: 'UnionPay',
};

/**
 * The name of a card network for its code; an unknown code is shown as it is.
 *
 * @example
 * ```ts
 * cardBrandName('visa');   // 'Visa'
 * cardBrandName('elo');    // 'elo'
 * ```
 */
export const cardBrandName = (code: string): string => brandNames[code] ?? code;
