import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  add, allocate, compare, divide, formatMoney, money, multiply, parseAmount, parseDecimal, percent,
  percentage, split, subtract, sum, times, toDecimalString, type Money,
} from './index.js';

const eur = (amount: bigint) => money(amount, 'EUR');
const amounts = (parts: Money[]) => parts.map((p) => p.amount);
const codeOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    return (error as { code?: string }).code;
  }
  return 'no error';
};

describe('money', () => {
  describe('construction', () => {
    it('keeps minor units as bigint and freezes the value', () => {
      const m = eur(1250n);
      expect(m).toEqual({ amount: 1250n, currency: 'EUR' });
      expect(Object.isFrozen(m)).toBe(true);
    });
    it('refuses floats, unknown currencies and values beyond int64', () => {
      expect(codeOf(() => money(12.5, 'EUR'))).toBe('AMOUNT_INVALID');
      expect(codeOf(() => money(Number.NaN, 'EUR'))).toBe('AMOUNT_INVALID');
      expect(codeOf(() => money(1n, 'XXX'))).toBe('CURRENCY_UNKNOWN');
      expect(codeOf(() => money(2n ** 63n, 'EUR'))).toBe('AMOUNT_OUT_OF_RANGE');
      expect(money(2n ** 63n - 1n, 'EUR').amount).toBe(9_223_372_036_854_775_807n);
    });
  });

  describe('arithmetic', () => {
    it('adds, subtracts, sums and compares within one currency', () => {
      expect(add(eur(1050n), eur(-50n)).amount).toBe(1000n);
      expect(subtract(eur(100n), eur(250n)).amount).toBe(-150n);
      expect(sum([eur(1n), eur(2n), eur(3n)], 'EUR').amount).toBe(6n);
      expect(times(eur(999n), 3).amount).toBe(2997n);
      expect(compare(eur(1n), eur(2n))).toBe(-1);
      expect(compare(eur(2n), eur(2n))).toBe(0);
    });
    it('refuses to mix currencies', () => {
      expect(codeOf(() => add(eur(1n), money(1n, 'USD')))).toBe('CURRENCY_MISMATCH');
      expect(codeOf(() => compare(eur(1n), money(1n, 'JPY')))).toBe('CURRENCY_MISMATCH');
    });
    it('refuses a sum that overflows the bigint column', () => {
      expect(codeOf(() => add(money(2n ** 63n - 1n, 'EUR'), eur(1n)))).toBe('AMOUNT_OUT_OF_RANGE');
    });
    it('prints exact decimal text for every exponent', () => {
      expect(toDecimalString(eur(5n))).toBe('0.05');
      expect(toDecimalString(eur(-123456n))).toBe('-1234.56');
      expect(toDecimalString(money(1500n, 'JPY'))).toBe('1500');
      expect(toDecimalString(money(1n, 'KWD'))).toBe('0.001');
    });
  });

  describe('rounding', () => {
    // Each row: n / d under each rule. Halves are where the rules differ.
    const cases: [bigint, bigint, Record<string, bigint>][] = [
      [25n, 10n, { 'half-even': 2n, 'half-up': 3n, 'half-down': 2n, up: 3n, down: 2n, ceil: 3n, floor: 2n }],
      [35n, 10n, { 'half-even': 4n, 'half-up': 4n, 'half-down': 3n, up: 4n, down: 3n, ceil: 4n, floor: 3n }],
      [-25n, 10n, { 'half-even': -2n, 'half-up': -3n, 'half-down': -2n, up: -3n, down: -2n, ceil: -2n, floor: -3n }],
      [26n, 10n, { 'half-even': 3n, 'half-up': 3n, 'half-down': 3n, up: 3n, down: 2n, ceil: 3n, floor: 2n }],
      [-24n, 10n, { 'half-even': -2n, 'half-up': -2n, 'half-down': -2n, up: -3n, down: -2n, ceil: -2n, floor: -3n }],
      [20n, 10n, { 'half-even': 2n, 'half-up': 2n, 'half-down': 2n, up: 2n, down: 2n, ceil: 2n, floor: 2n }],
    ];
    for (const [n, d, expected] of cases) {
      it(`rounds ${n}/${d} by every rule`, () => {
        for (const [rule, value] of Object.entries(expected)) {
          expect([rule, divide(n, d, rule as never)]).toEqual([rule, value]);
        }
      });
    }
    it('takes exact percentages without floats', () => {
      expect(percent('12.5')).toEqual({ numerator: 125n, denominator: 1000n });
      // 3% of 99.99 = 2.9997 → 3.00
      expect(percentage(eur(9999n), '3', 'half-even').amount).toBe(300n);
      // 25% of 0.02 = 0.005: half-even keeps 0, half-up gives 0.01
      expect(percentage(eur(2n), 25, 'half-even').amount).toBe(0n);
      expect(percentage(eur(2n), 25, 'half-up').amount).toBe(1n);
      expect(multiply(money(1000n, 'JPY'), { numerator: 1n, denominator: 3n }, 'down').amount).toBe(333n);
      expect(codeOf(() => percent('1e2'))).toBe('RATIO_INVALID');
      expect(codeOf(() => percent('-3'))).toBe('RATIO_INVALID');
    });
  });

  describe('allocate', () => {
    it('splits 100 in three so the parts sum to the whole', () => {
      expect(amounts(split(eur(100n), 3))).toEqual([34n, 33n, 33n]);
    });
    it('gives leftover units to the largest remainders', () => {
      // 1000 by 1:2:3 → 166.67, 333.33, 500 → floors 166, 333, 500, one unit left → first part
      expect(amounts(allocate(eur(1000n), [1, 2, 3]))).toEqual([167n, 333n, 500n]);
      // 5 by 3:7 → 1.5 and 3.5: equal remainders, the tie goes to the earlier part
      expect(amounts(allocate(eur(5n), [3n, 7n]))).toEqual([2n, 3n]);
    });
    it('splits negative amounts symmetrically and leaves zero weights at zero', () => {
      expect(amounts(allocate(eur(-100n), [1, 1, 1]))).toEqual([-34n, -33n, -33n]);
      expect(amounts(allocate(eur(7n), [0, 1, 1]))).toEqual([0n, 4n, 3n]);
    });
    it('always sums exactly, for any amounts and weights', () => {
      fc.assert(
        fc.property(
          fc.bigInt({ min: -(2n ** 62n), max: 2n ** 62n }),
          fc.array(fc.nat(1000), { minLength: 1, maxLength: 8 }).filter((ws) => ws.some((w) => w > 0)),
          (amount, weights) => {
            const parts = allocate(eur(amount), weights);
            expect(parts).toHaveLength(weights.length);
            expect(parts.reduce((a, p) => a + p.amount, 0n)).toBe(amount);
            // No part strays more than one unit from its exact share.
            const total = weights.reduce((a, w) => a + BigInt(w), 0n);
            parts.forEach((p, i) => {
              const exact = (amount * BigInt(weights[i]!)) / total;
              expect(p.amount - exact <= 1n && exact - p.amount <= 1n).toBe(true);
            });
          },
        ),
        { seed: 42, numRuns: 500 },
      );
    });
    it('refuses empty, all-zero or negative weights', () => {
      expect(codeOf(() => allocate(eur(1n), []))).toBe('RATIO_INVALID');
      expect(codeOf(() => allocate(eur(1n), [0, 0]))).toBe('RATIO_INVALID');
      expect(codeOf(() => allocate(eur(1n), [1, -1]))).toBe('RATIO_INVALID');
      expect(codeOf(() => allocate(eur(1n), [0.5]))).toBe('RATIO_INVALID');
    });
  });

  describe('parseAmount', () => {
    it('reads each language’s notation', () => {
      expect(parseAmount('12.50', 'EUR', 'en').amount).toBe(1250n);
      expect(parseAmount('12,50', 'EUR', 'fr').amount).toBe(1250n);
      expect(parseAmount('12,5', 'EUR', 'es').amount).toBe(1250n);
      expect(parseAmount(' 1,234.56 ', 'EUR', 'en').amount).toBe(123456n);
      expect(parseAmount('1 234,56', 'EUR', 'fr').amount).toBe(123456n);
      expect(parseAmount('1\u202f234,56', 'EUR', 'fr').amount).toBe(123456n);
      expect(parseAmount('1.234,56', 'EUR', 'es').amount).toBe(123456n);
      expect(parseAmount('250', 'EUR', 'fr').amount).toBe(25000n);
      expect(parseAmount('1500', 'JPY', 'en').amount).toBe(1500n);
      expect(parseAmount('1.005', 'KWD', 'en').amount).toBe(1005n);
    });
    it('reads negatives and zero only when allowed', () => {
      expect(parseAmount('-5.00', 'EUR', 'en', { allowNegative: true }).amount).toBe(-500n);
      expect(parseAmount('0', 'EUR', 'en', { allowZero: true }).amount).toBe(0n);
    });
    const refused: [string, string, 'en' | 'fr' | 'es', string][] = [
      ['negative', '-5', 'en', 'AMOUNT_NEGATIVE'],
      ['zero', '0', 'en', 'AMOUNT_NOT_POSITIVE'],
      ['zero with decimals', '0,00', 'fr', 'AMOUNT_NOT_POSITIVE'],
      ['NaN', 'NaN', 'en', 'AMOUNT_INVALID'],
      ['Infinity', 'Infinity', 'en', 'AMOUNT_INVALID'],
      ['an exponent', '1e3', 'en', 'AMOUNT_INVALID'],
      ['1e309', '1e309', 'en', 'AMOUNT_INVALID'],
      ['a comma in English', '1,5', 'en', 'AMOUNT_INVALID'],
      ['a dot decimal in French', '12.50', 'fr', 'AMOUNT_INVALID'],
      ['a badly grouped number', '12,34,5', 'en', 'AMOUNT_INVALID'],
      ['hex', '0x10', 'en', 'AMOUNT_INVALID'],
      ['a plus sign', '+5', 'en', 'AMOUNT_INVALID'],
      ['empty', '  ', 'en', 'AMOUNT_INVALID'],
      ['a trailing separator', '12.', 'en', 'AMOUNT_INVALID'],
      ['two separators', '1.2.3', 'en', 'AMOUNT_INVALID'],
      ['a currency sign', '€12', 'en', 'AMOUNT_INVALID'],
      ['too many decimals', '12.345', 'en', 'AMOUNT_TOO_PRECISE'],
      ['decimals in yen', '12.5', 'en', 'AMOUNT_TOO_PRECISE'],
      ['beyond int64', '92233720368547758.08', 'en', 'AMOUNT_OUT_OF_RANGE'],
      ['400 digits', '9'.repeat(400), 'en', 'AMOUNT_OUT_OF_RANGE'],
    ];
    for (const [what, input, locale, code] of refused) {
      it(`refuses ${what} (${JSON.stringify(input)}) with ${code}`, () => {
        const cur = what === 'decimals in yen' ? 'JPY' : 'EUR';
        expect(codeOf(() => parseAmount(input, cur, locale))).toBe(code);
      });
    }
    it('accepts the largest int64 amount exactly', () => {
      expect(parseAmount('92233720368547758.07', 'EUR', 'en').amount).toBe(2n ** 63n - 1n);
    });
    it('names the example notation of the language in its error', () => {
      try {
        parseAmount('douze', 'EUR', 'fr');
      } catch (error) {
        expect((error as { params: object }).params).toMatchObject({ input: 'douze', example: '12,50' });
      }
      expect.assertions(1);
    });
    it('reads API decimals with a dot only', () => {
      expect(parseDecimal('19.99', 'EUR').amount).toBe(1999n);
      expect(codeOf(() => parseDecimal('19,99', 'EUR'))).toBe('AMOUNT_INVALID');
      expect(codeOf(() => parseDecimal('1,999.00', 'EUR'))).toBe('AMOUNT_INVALID');
    });
  });

  describe('formatMoney', () => {
    it('formats in English, French and Spanish', () => {
      const m = eur(123456n);
      expect(formatMoney(m, 'en')).toBe('€1,234.56');
      expect(formatMoney(m, 'fr')).toBe('1\u202f234,56\u00a0€');
      expect(formatMoney(m, 'es')).toBe('1234,56\u00a0€');
      expect(formatMoney(eur(12345678n), 'es')).toBe('123.456,78\u00a0€');
    });
    it('keeps every digit of amounts beyond float precision', () => {
      expect(formatMoney(money(2n ** 63n - 1n, 'EUR'), 'en')).toBe('€92,233,720,368,547,758.07');
    });
    it('uses the currency’s own decimals and signs negatives', () => {
      expect(formatMoney(money(1500n, 'JPY'), 'en')).toBe('JP¥1,500');
      expect(formatMoney(eur(-5n), 'fr')).toBe('-0,05\u00a0€');
    });
    it('round-trips: what is formatted in a language parses back in it', () => {
      for (const locale of ['en', 'fr', 'es'] as const) {
        const m = eur(98765432n);
        const text = formatMoney(m, locale).replace(/[€\u00a0]/g, '').trim();
        expect(parseAmount(text, 'EUR', locale)).toEqual(m);
      }
    });
  });
});
