import { signTimestamped, type TimestampedCheck, verifyTimestamped } from '@saldo/sdk';

/**
 * Trusted-proxy mode: the panel's reverse proxy names the signed-in customer in
 * `X-Saldo-Customer` and signs it in `X-Saldo-Customer-Signature` as `t=<unix seconds>,v1=<hex>`,
 * an HMAC-SHA256 of `<t>.<customer>` under the shared proxy secret: a header captured once stops
 * working after five minutes.
 */
export const signCustomerHeader = (secret: string, customer: string, timestamp?: number): string => signTimestamped(secret, customer, timestamp);

export const verifyCustomerHeader = (secret: string, header: string | undefined, customer: string): TimestampedCheck =>
  verifyTimestamped(secret, header, customer);
