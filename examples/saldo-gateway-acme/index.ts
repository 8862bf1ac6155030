import { fileURLToPath } from 'node:url';
import {
  defineGateway, formatMoney, type GatewayOutcome, type GatewayRoute, isLocale, money, verifyTimestamped, type WebhookResult, z,
} from '@saldo/sdk';
import { type AcmeSession, endSession, expireSessions, findSession, openSession, refundSession } from './acme.js';

export { acmeEvent, type AcmeSession } from './acme.js';

const configSchema = z.object({
  /** Signs Acme's events; from Acme's dashboard. */
  webhookSecret: z.string().min(16),
  /** How long Acme's page waits for the customer before the session lapses. */
  sessionMinutes: z.coerce.number().int().min(5).max(1440).default(30),
});

/** What an Acme session means for Saldo's payment. Only `paid` is money: Saldo books it, once. */
function outcomeOf(s: Pick<AcmeSession, 'id' | 'status' | 'amount_minor' | 'currency' | 'page_url'>): GatewayOutcome {
  switch (s.status) {
    case 'open': return { status: 'requires_action', reference: s.id, redirectUrl: s.page_url };
    case 'paid': return { status: 'succeeded', reference: s.id, amount: money(BigInt(s.amount_minor), s.currency) };
    case 'failed': return { status: 'declined', reference: s.id, reason: 'card_declined' };
    case 'canceled': return { status: 'canceled', reference: s.id };
    case 'expired': return { status: 'canceled', reference: s.id };
  }
}

/** Acme's hosted page (in test mode, like many processors' test pages, the customer picks the outcome). */
const checkoutPage: GatewayRoute<z.output<typeof configSchema>>[] = [
  {
    method: 'GET', path: '/checkout/:session',
    handler: async (ctx, request) => {
      const session = await findSession(ctx.sql, { id: request.params.session ?? '' });
      if (!session) return { status: 404, text: 'No such session' };
      if (session.status !== 'open') return { redirect: session.return_url };
      const locale = isLocale(session.locale) ? session.locale : 'en';
      return { html: ctx.render('checkout', { t: (key: string) => ctx.t(key, locale), locale, amount: formatMoney(money(session.amount_minor, session.currency), locale) }) };
    },
  },
  {
    method: 'POST', path: '/checkout/:session',
    handler: async (ctx, request) => {
      const outcome = request.form.outcome;
      if (outcome !== 'paid' && outcome !== 'failed' && outcome !== 'canceled') return { status: 400, text: 'Choose an outcome' };
      const session = await endSession(ctx.sql, request.params.session ?? '', outcome);
      return session ? { redirect: session.return_url } : { status: 404, text: 'No such session' };
    },
  },
];

/**
 * Acme Pay: the customer pays on Acme's page and comes back; Acme confirms by a signed event.
 * Written against `@saldo/sdk` only, installed and enabled like any npm package.
 */
export default defineGateway({
  code: 'acme',
  apiVersion: 1,
  label: 'acme:label',
  configSchema,
  capabilities: { topUp: true, payDue: true, refunds: true },
  currencies: ['EUR', 'USD', 'GBP'],
  migrations: fileURLToPath(new URL('./migrations', import.meta.url)),
  views: fileURLToPath(new URL('./views', import.meta.url)),

  async createPayment(ctx, payment) {
    const session = await openSession(ctx.sql, {
      paymentId: payment.paymentId, amount: payment.amount, locale: payment.locale, pagesUrl: payment.gatewayUrl, returnUrl: payment.returnUrl,
    });
    return outcomeOf(session);
  },

  async getPayment(ctx, { paymentId, reference }) {
    const session = await findSession(ctx.sql, reference ? { id: reference } : { paymentId });
    // No session at all: the call never reached Acme, and Saldo may cancel the payment.
    return session ? outcomeOf(session) : { status: 'not_found' };
  },

  async parseWebhook(ctx, request): Promise<WebhookResult> {
    const check = verifyTimestamped(ctx.config.webhookSecret, request.headers['acme-signature'], request.rawBody, { now: request.receivedAt });
    if (!check.ok) return { verified: false, reason: check.reason };
    const event = JSON.parse(request.rawBody) as { id: string; type: string; created: number; session?: { id: string; payment_id: string; status: AcmeSession['status']; amount: string; currency: string } };
    const s = event.session;
    // Only an ended session is news: an open one is what Saldo was told when it started.
    if (event.type !== 'session.updated' || !s || s.status === 'open') return { verified: true, eventId: event.id, ignored: `Acme event ${event.type}` };
    return {
      verified: true, eventId: event.id, payment: { paymentId: s.payment_id, reference: s.id }, occurredAt: new Date(event.created * 1000),
      outcome: outcomeOf({ id: s.id, status: s.status, amount_minor: BigInt(s.amount), currency: s.currency, page_url: '' }),
    };
  },

  async refund(ctx, refund) {
    const made = await refundSession(ctx.sql, { sessionId: refund.reference, refundId: refund.refundId, amount: refund.amount });
    return 'id' in made ? { status: 'succeeded', reference: made.id } : { status: 'failed', reason: made.error };
  },

  routes: checkoutPage,
  jobs: [{ name: 'expire-sessions', schedule: '*/5 * * * *', run: (ctx) => expireSessions(ctx.sql, ctx.config.sessionMinutes) }],
});
