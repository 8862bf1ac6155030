/**
 * Customer numbers double as payment references on bank transfers, where people copy them by
 * hand. A Luhn check digit catches every single-digit typo and most swapped neighbours, so a
 * mistyped reference is flagged instead of matched to someone else's account.
 */
function luhnDigit(digits: string): number {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 0) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return (10 - (sum % 10)) % 10;
}

/** "C" + 1001 → "C10017". */
export function formatCustomerNumber(prefix: string, sequence: bigint): string {
  const digits = sequence.toString();
  return `${prefix}${digits}${luhnDigit(digits)}`;
}

/** Whether a reference someone typed is a well-formed customer number (case and spaces ignored). */
export function isValidCustomerNumber(prefix: string, input: string): boolean {
  const text = input.replace(/\s+/g, '').toUpperCase();
  if (!text.startsWith(prefix)) return false;
  const digits = text.slice(prefix.length);
  if (!/^\d{2,}$/.test(digits)) return false;
  return luhnDigit(digits.slice(0, -1)) === Number(digits.at(-1));
}
