import { MoneyError } from '../errors.js';
import { type Money, money } from './money.js';

/**
 * Splits an amount in proportion to `weights` so that the parts always add up to the whole:
 * each part gets its floor share, then the minor units left over go one each to the parts with
 * the largest remainders (ties to the earlier part). Used for every split — discounts across
 * lines, tax across items, proration — so no cent is ever created or lost.
 */
export function allocate(total: Money, weights: readonly (bigint | number)[]): Money[] {
  const ws = weights.map((w) => {
    if (typeof w === 'number' && !Number.isSafeInteger(w)) throw new MoneyError('RATIO_INVALID', { input: String(w) });
    const big = BigInt(w);
    if (big < 0n) throw new MoneyError('RATIO_INVALID', { input: String(w) });
    return big;
  });
  const weightSum = ws.reduce((a, b) => a + b, 0n);
  if (ws.length === 0 || weightSum === 0n) throw new MoneyError('RATIO_INVALID', { input: `[${weights.join(', ')}]` });

  // Work on the magnitude and restore the sign, so a negative total splits symmetrically.
  const negative = total.amount < 0n;
  const magnitude = negative ? -total.amount : total.amount;
  const shares = ws.map((w) => (magnitude * w) / weightSum);
  let leftover = magnitude - shares.reduce((a, b) => a + b, 0n);

  const byRemainder = ws
    .map((w, index) => ({ index, remainder: (magnitude * w) % weightSum, weight: w }))
    .filter((x) => x.weight > 0n)
    .sort((a, b) => (a.remainder === b.remainder ? a.index - b.index : a.remainder > b.remainder ? -1 : 1));
  for (const { index } of byRemainder) {
    if (leftover === 0n) break;
    shares[index]! += 1n;
    leftover -= 1n;
  }
  return shares.map((share) => money(negative ? -share : share, total.currency));
}

/** Splits into `count` parts as equal as possible (the first parts take the extra units). */
export const split = (total: Money, count: number): Money[] => allocate(total, Array.from({ length: count }, () => 1));
