/**
 * Saldo's public entry point for a host panel written in Node: build the module from a
 * configuration, mount `saldo.app`, call its services.
 */
import 'reflect-metadata';

export { loadConfig } from '../config/load.js';
export type { SaldoConfig, SaldoConfigInput } from '../config/schema.js';
export { createSaldo, type Saldo, type CreateOptions } from './saldo.js';
export { BillingError, isBillingError, type ErrorCode } from './errors.js';
export * from '@saldo/sdk';
export type { BillingAccount } from './accounts/types.js';
export type { WalletFigures } from './accounts/wallet-figures.js';
export type { Transfer, Hold, Entry, ChargeRefund } from './ledger/types.js';
export { signCustomerHeader } from './customers/proxy-signature.js';
export type { SaldoEvent, EventType } from './events/event-log.js';
export type { FailedDelivery } from './events/deliveries.js';
