import type {
  GatewayContext, GatewayHttpRequest, GatewayOutcome, GatewayRoute, PaymentLookup, PaymentRequest, PaymentStatus, RefundOutcome,
  RefundRequest, WebhookResult,
} from '@saldo/sdk';
import type { CardConfig } from './config.js';

/**
 * The port a card processor plugs into: the card gateway speaks to Saldo, a processor speaks to a
 * card network. `sandbox` imitates one for the demo and tests; `stripe` is Stripe's PaymentIntents.
 */
export interface CardProcessor {
  createPayment(ctx: GatewayContext<CardConfig>, payment: PaymentRequest): Promise<GatewayOutcome>;
  getPayment(ctx: GatewayContext<CardConfig>, lookup: PaymentLookup): Promise<PaymentStatus>;
  parseWebhook(ctx: GatewayContext<CardConfig>, request: GatewayHttpRequest): Promise<WebhookResult>;
  refund(ctx: GatewayContext<CardConfig>, refund: RefundRequest): Promise<RefundOutcome>;
  getRefund(ctx: GatewayContext<CardConfig>, refund: { refundId: string; paymentId: string; reference: string }): Promise<RefundOutcome | { status: 'not_found' }>;
  removeMethod(ctx: GatewayContext<CardConfig>, token: string): Promise<void>;
  /** Pages the processor serves (the sandbox's hosted payment page). */
  routes: GatewayRoute<CardConfig>[];
}
