import { describe, expect, it } from 'vitest';
import { formatCustomerNumber, isValidCustomerNumber } from './customer-number.js';

describe('customer number', () => {
  it('appends a Luhn check digit to the sequence', () => {
    expect(formatCustomerNumber('C', 1001n)).toBe('C10017');
    expect(formatCustomerNumber('', 7992739871n)).toBe('79927398713'); // the textbook Luhn example
  });
  it('accepts what it formats, in any case and with spaces', () => {
    for (let n = 1001n; n < 1200n; n++) expect(isValidCustomerNumber('C', formatCustomerNumber('C', n))).toBe(true);
    expect(isValidCustomerNumber('SA', ' sa 1001 7 '.replace('7', String(formatCustomerNumber('SA', 1001n).at(-1))))).toBe(true);
  });
  it('catches every single-digit typo and swapped neighbours', () => {
    const good = formatCustomerNumber('C', 4821n);
    const digits = good.slice(1);
    for (let i = 0; i < digits.length; i++) {
      for (let d = 0; d <= 9; d++) {
        if (String(d) === digits[i]) continue;
        expect(isValidCustomerNumber('C', `C${digits.slice(0, i)}${d}${digits.slice(i + 1)}`)).toBe(false);
      }
    }
    expect(isValidCustomerNumber('C', `C${digits[1]}${digits[0]}${digits.slice(2)}`)).toBe(false);
    expect(isValidCustomerNumber('C', 'X48215')).toBe(false);
  });
});
