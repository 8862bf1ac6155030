import { z } from 'zod';
import { BillingError } from './errors.js';
import { isCurrency, type Money } from '@saldo/sdk';

/** A Money value (bigint minor units of a supported currency) inside a zod schema. */
export const moneySchema = z.custom<Money>((v) => typeof (v as Money)?.amount === 'bigint' && isCurrency((v as Money).currency), {
  message: 'expected an amount of money',
});

/** VALIDATION_FAILED naming each field zod refused, once, in order. */
export function validationError(error: z.ZodError): BillingError {
  const fields = [...new Set(error.issues.map((i) => i.path.join('.') || '(body)'))];
  return new BillingError('VALIDATION_FAILED', { fields: fields.join(', ') });
}
