import { cardBrandName } from '@saldo/sdk';
import type { PaymentMethod } from '../../payments/payment-methods.repo.js';

/** A saved method as the pages show it: "Visa ending in 4242, expires 12/30". */
export const savedMethodView = (m: PaymentMethod) => ({
  ...m,
  value: `saved:${m.gateway}:${m.id}`,
  brand: cardBrandName(m.brand),
  expiry: `${String(m.expMonth).padStart(2, '0')}/${String(m.expYear).slice(-2)}`,
});
