import type { PaymentMethod } from '../../payments/payment-methods.repo.js';

/** Card networks by the codes processors use for them. */
const brandNames: Record<string, string> = {
  visa: 'Visa', mastercard: 'Mastercard', amex: 'American Express', discover: 'Discover', diners: 'Diners Club', jcb: 'JCB', unionpay: 'UnionPay',
};

/** A saved method as the pages show it: "Visa ending in 4242, expires 12/30". */
export const savedMethodView = (m: PaymentMethod) => ({
  ...m,
  value: `saved:${m.gateway}:${m.id}`,
  brand: brandNames[m.brand] ?? m.brand,
  expiry: `${String(m.expMonth).padStart(2, '0')}/${String(m.expYear).slice(-2)}`,
});
