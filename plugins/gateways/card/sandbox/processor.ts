import { randomBytes } from 'node:crypto';
import {
  formatMoney, signTimestamped, verifyTimestamped, type GatewayContext, type GatewayHttpRequest, type GatewayOutcome, type Locale, money, type PaymentStatus, type SavedMethod,
} from '@saldo/sdk';
import { brandLabel, brandOf, luhnValid } from '../brands.js';
import type { CardConfig } from '../config.js';
import type { CardProcessor } from '../processor.js';

/**
 * What each test card does. Any other number that passes the Luhn check succeeds; the expiry
 * must be in the future and the security code three or four digits.
 */
export const TEST_CARDS = {
  '4242424242424242': 'succeed',
  '5555555555554444': 'succeed',
  '4000000000000002': 'decline',
  '4000000000009995': 'insufficient_funds',
  '4000000000003220': 'challenge',
} as const;
type Behaviour = (typeof TEST_CARDS)[keyof typeof TEST_CARDS];

type IntentStatus = 'requires_payment_method' | 'requires_action' | 'succeeded' | 'declined' | 'canceled';
interface Intent {
  id: string; payment_id: string; amount_minor: bigint; currency: string; status: IntentStatus; reason: string | null; locale: Locale;
  return_url: string; gateway_url: string; save_method: boolean; brand: string | null; last4: string | null; exp_month: number | null;
  exp_year: number | null; behaviour: Behaviour | null; token: string | null; expires_at: Date;
}
type Ctx = GatewayContext<CardConfig>;

const newId = (prefix: string) => `${prefix}_${randomBytes(12).toString('hex')}`;

async function intentOf(ctx: Ctx, by: { id?: string; paymentId?: string }): Promise<Intent | undefined> {
  const [row] = by.id
    ? await ctx.sql<Intent[]>`SELECT * FROM card_sandbox_intents WHERE id = ${by.id}`
    : await ctx.sql<Intent[]>`SELECT * FROM card_sandbox_intents WHERE payment_id = ${by.paymentId!}`;
  return row;
}

const savedMethodOf = (i: Intent): SavedMethod | undefined =>
  i.token ? { token: i.token, brand: i.brand!, last4: i.last4!, expMonth: i.exp_month!, expYear: i.exp_year! } : undefined;

/** What the processor would answer about an intent. */
function outcomeOf(i: Intent): GatewayOutcome {
  const amount = money(i.amount_minor, i.currency);
  switch (i.status) {
    case 'succeeded': {
      const saved = savedMethodOf(i);
      return { status: 'succeeded', reference: i.id, amount, ...(saved && { savedMethod: saved }) };
    }
    case 'declined': return { status: 'declined', reference: i.id, reason: i.reason ?? 'card_declined' };
    case 'canceled': return { status: 'canceled', reference: i.id };
    default: return { status: 'requires_action', reference: i.id, redirectUrl: `${i.gateway_url}${i.status === 'requires_action' ? `/sandbox/challenge/${i.id}` : checkoutPath(i.id)}` };
  }
}

/** Moves an intent to its outcome, then tells Saldo the way a processor does: a signed notification. */
async function settle(ctx: Ctx, intent: Intent, status: 'succeeded' | 'declined' | 'canceled', reason: string | null, token: string | null = null) {
  const [row] = await ctx.sql<Intent[]>`
    UPDATE card_sandbox_intents SET status = ${status}, reason = ${reason}, token = coalesce(${token}, token), updated_at = now()
     WHERE id = ${intent.id} AND status IN ('requires_payment_method', 'requires_action') RETURNING *`;
  if (row) void notify(ctx, row);
  return row ?? (await intentOf(ctx, { id: intent.id }))!;
}

/**
 * Sends the notification as a processor would, from "its" side: signed, at least once, without
 * waiting for it. When it cannot be delivered (no public address, Saldo down), nothing is lost:
 * the customer's return and reconciliation ask the processor directly.
 */
async function notify(ctx: Ctx, i: Intent): Promise<void> {
  const body = JSON.stringify({
    id: newId('evt_sb'), type: `payment.${i.status}`, created: Math.floor(Date.now() / 1000),
    data: {
      intent: i.id, payment_id: i.payment_id, gateway_url: i.gateway_url, status: i.status, amount: i.amount_minor.toString(), currency: i.currency, reason: i.reason,
      card: i.token ? { token: i.token, brand: i.brand, last4: i.last4, exp_month: i.exp_month, exp_year: i.exp_year } : null,
    },
  });
  await fetch(`${i.gateway_url}/webhook`, {
    method: 'POST', body, headers: { 'content-type': 'application/json', 'sandbox-signature': signTimestamped(ctx.config.sandbox.webhookSecret, body) },
    signal: AbortSignal.timeout(5_000),
  }).catch(() => undefined);
}

const checkoutPath = (id: string) => `/sandbox/checkout/${id}`;

export const sandbox: CardProcessor = {
  async createPayment(ctx, payment) {
    if (payment.savedMethod) {
      const [card] = await ctx.sql<{ behaviour: Behaviour; brand: string; last4: string; exp_month: number; exp_year: number }[]>`
        SELECT behaviour, brand, last4, exp_month, exp_year FROM card_sandbox_tokens WHERE token = ${payment.savedMethod.token} AND removed_at IS NULL`;
      if (!card) return { status: 'declined', reason: 'card_not_found' };
      // A saved card is charged at once; one that needs 3-D Secure cannot be without the customer.
      const outcome = card.behaviour === 'succeed' ? 'succeeded' : 'declined';
      const reason = card.behaviour === 'challenge' ? 'authentication_required' : card.behaviour === 'succeed' ? null : card.behaviour === 'decline' ? 'card_declined' : card.behaviour;
      const id = newId('pi_sb');
      const [intent] = await ctx.sql<Intent[]>`
        INSERT INTO card_sandbox_intents (id, payment_id, amount_minor, currency, status, reason, locale, return_url, gateway_url, brand, last4, exp_month, exp_year, behaviour, token, expires_at)
        VALUES (${id}, ${payment.paymentId}, ${payment.amount.amount}, ${payment.amount.currency}, ${outcome}, ${reason}, ${payment.locale}, ${payment.returnUrl},
                ${payment.gatewayUrl}, ${card.brand}, ${card.last4}, ${card.exp_month}, ${card.exp_year}, ${card.behaviour}, ${payment.savedMethod.token}, now())
        ON CONFLICT (payment_id) DO UPDATE SET updated_at = card_sandbox_intents.updated_at RETURNING *`;
      return outcomeOf(intent!);
    }
    // The processor's idempotency: the same payment asked for twice is one intent.
    const [intent] = await ctx.sql<Intent[]>`
      INSERT INTO card_sandbox_intents (id, payment_id, amount_minor, currency, status, locale, return_url, gateway_url, save_method, expires_at)
      VALUES (${newId('pi_sb')}, ${payment.paymentId}, ${payment.amount.amount}, ${payment.amount.currency}, 'requires_payment_method', ${payment.locale},
              ${payment.returnUrl}, ${payment.gatewayUrl}, ${payment.saveMethod ?? false},
              now() + make_interval(mins => ${ctx.config.sandbox.expiresAfterMinutes}))
      ON CONFLICT (payment_id) DO UPDATE SET updated_at = card_sandbox_intents.updated_at RETURNING *`;
    return outcomeOf(intent!);
  },

  async getPayment(ctx, lookup): Promise<PaymentStatus> {
    let intent = await intentOf(ctx, lookup.reference ? { id: lookup.reference } : { paymentId: lookup.paymentId });
    if (!intent) return { status: 'not_found' };
    if ((intent.status === 'requires_payment_method' || intent.status === 'requires_action') && intent.expires_at <= new Date()) {
      intent = await settle(ctx, intent, 'canceled', 'expired');
    }
    return outcomeOf(intent);
  },

  async parseWebhook(ctx, request: GatewayHttpRequest) {
    // Signed as processors sign: `t=…,v1=…` over "t.body", five minutes' tolerance.
    const check = verifyTimestamped(ctx.config.sandbox.webhookSecret, request.headers['sandbox-signature'], request.rawBody, { now: request.receivedAt });
    if (!check.ok) return { verified: false, reason: check.reason };
    const event = JSON.parse(request.rawBody) as {
      id: string; created: number;
      data: { intent: string; payment_id: string; gateway_url: string; status: IntentStatus; amount: string; currency: string; reason: string | null; card: { token: string; brand: string; last4: string; exp_month: number; exp_year: number } | null };
    };
    const d = event.data;
    const intent = {
      id: d.intent, payment_id: d.payment_id, gateway_url: d.gateway_url, status: d.status, reason: d.reason, amount_minor: BigInt(d.amount), currency: d.currency,
      token: d.card?.token ?? null, brand: d.card?.brand ?? null, last4: d.card?.last4 ?? null, exp_month: d.card?.exp_month ?? null, exp_year: d.card?.exp_year ?? null,
    } as Intent;
    return { verified: true, eventId: event.id, payment: { paymentId: d.payment_id, reference: d.intent }, outcome: outcomeOf(intent), occurredAt: new Date(event.created * 1000) };
  },

  async refund(ctx, refund) {
    const [row] = await ctx.sql<{ id: string }[]>`
      INSERT INTO card_sandbox_refunds (id, refund_id, intent_id, amount_minor) VALUES (${newId('re_sb')}, ${refund.refundId}, ${refund.reference}, ${refund.amount.amount})
      ON CONFLICT (refund_id) DO UPDATE SET refund_id = excluded.refund_id RETURNING id`;
    return { status: 'succeeded', reference: row!.id };
  },

  async getRefund(ctx, refund) {
    const [row] = await ctx.sql<{ id: string }[]>`SELECT id FROM card_sandbox_refunds WHERE refund_id = ${refund.refundId}`;
    return row ? { status: 'succeeded', reference: row.id } : { status: 'not_found' };
  },

  async removeMethod(ctx, token) {
    await ctx.sql`UPDATE card_sandbox_tokens SET removed_at = now() WHERE token = ${token}`;
  },

  routes: [
    {
      method: 'GET', path: '/sandbox/checkout/:intent',
      handler: async (ctx, request) => {
        const intent = await intentOf(ctx, { id: request.params.intent });
        if (!intent) return { status: 404, text: 'No such payment' };
        if (intent.status !== 'requires_payment_method') return { redirect: intent.return_url };
        return { html: checkoutPage(ctx, intent, {}) };
      },
    },
    {
      method: 'POST', path: '/sandbox/checkout/:intent',
      handler: async (ctx, request) => {
        const intent = await intentOf(ctx, { id: request.params.intent });
        if (!intent) return { status: 404, text: 'No such payment' };
        if (intent.status !== 'requires_payment_method') return { redirect: intent.return_url };
        if (request.form.cancel !== undefined) {
          await settle(ctx, intent, 'canceled', 'canceled_by_customer');
          return { redirect: intent.return_url };
        }
        const card = readCard(ctx, intent.locale, request.form);
        if ('error' in card) return { status: 422, html: checkoutPage(ctx, intent, { error: card.error, name: request.form.name ?? '' }) };
        await ctx.sql`
          UPDATE card_sandbox_intents SET brand = ${card.brand}, last4 = ${card.last4}, exp_month = ${card.expMonth}, exp_year = ${card.expYear},
                 behaviour = ${card.behaviour}, updated_at = now()
           WHERE id = ${intent.id}`;
        if (card.behaviour === 'challenge') {
          await ctx.sql`UPDATE card_sandbox_intents SET status = 'requires_action' WHERE id = ${intent.id}`;
          return { redirect: `${intent.gateway_url}/sandbox/challenge/${intent.id}` };
        }
        await finish(ctx, { ...intent, ...cardColumns(card) }, card.behaviour);
        return { redirect: intent.return_url };
      },
    },
    {
      method: 'GET', path: '/sandbox/challenge/:intent',
      handler: async (ctx, request) => {
        const intent = await intentOf(ctx, { id: request.params.intent });
        if (!intent) return { status: 404, text: 'No such payment' };
        if (intent.status !== 'requires_action') return { redirect: intent.return_url };
        return { html: ctx.render('challenge', { t: (key: string, p?: Record<string, string>) => ctx.t(key, intent.locale, p), intent, amount: amountText(intent) }) };
      },
    },
    {
      method: 'POST', path: '/sandbox/challenge/:intent',
      handler: async (ctx, request) => {
        const intent = await intentOf(ctx, { id: request.params.intent });
        if (!intent) return { status: 404, text: 'No such payment' };
        if (intent.status !== 'requires_action') return { redirect: intent.return_url };
        if (request.form.result === 'complete') await finish(ctx, intent, 'succeed');
        else await settle(ctx, intent, 'declined', 'authentication_failed');
        return { redirect: intent.return_url };
      },
    },
  ],
};

/** The card's outcome by its behaviour; a successful card the customer asked to keep gets a token. */
async function finish(ctx: Ctx, intent: Intent, behaviour: Behaviour) {
  if (behaviour === 'decline' || behaviour === 'insufficient_funds') {
    return settle(ctx, intent, 'declined', behaviour === 'decline' ? 'card_declined' : 'insufficient_funds');
  }
  let token: string | null = null;
  if (intent.save_method) {
    token = newId('tok_sb');
    await ctx.sql`
      INSERT INTO card_sandbox_tokens (token, brand, last4, exp_month, exp_year, behaviour)
      VALUES (${token}, ${intent.brand!}, ${intent.last4!}, ${intent.exp_month!}, ${intent.exp_year!}, ${intent.behaviour ?? behaviour})`;
  }
  return settle(ctx, intent, 'succeeded', null, token);
}

interface Card { brand: string; last4: string; expMonth: number; expYear: number; behaviour: Behaviour }
const cardColumns = (c: Card) => ({ brand: c.brand, last4: c.last4, exp_month: c.expMonth, exp_year: c.expYear, behaviour: c.behaviour });

/** The card the customer typed, checked as a processor's page checks it: number, brand, expiry, security code. */
function readCard(ctx: Ctx, locale: Locale, form: Record<string, string>): Card | { error: string } {
  const t = (key: string, p?: Record<string, string>) => ctx.t(key, locale, p);
  const digits = (form.number ?? '').replace(/[\s-]/g, '');
  if (!luhnValid(digits)) return { error: t('sandbox.invalidNumber') };
  const brand = brandOf(digits);
  if (!(ctx.config.brands as string[]).includes(brand)) {
    return { error: t('brandRefused', { brand: brandLabel(brand), accepted: ctx.config.brands.map((b) => brandLabel(b)).join(', ') }) };
  }
  const expiry = /^\s*(\d{1,2})\s*\/\s*(\d{2}|\d{4})\s*$/.exec(form.expiry ?? '');
  const month = expiry ? Number(expiry[1]) : 0;
  const year = expiry ? (expiry[2]!.length === 2 ? 2000 + Number(expiry[2]) : Number(expiry[2])) : 0;
  const now = new Date();
  if (!expiry || month < 1 || month > 12 || year * 12 + month < now.getUTCFullYear() * 12 + now.getUTCMonth() + 1) return { error: t('sandbox.invalidExpiry') };
  if (!/^\d{3,4}$/.test(form.cvc ?? '')) return { error: t('sandbox.invalidCvc') };
  const behaviour: Behaviour = TEST_CARDS[digits as keyof typeof TEST_CARDS] ?? 'succeed';
  return { brand, last4: digits.slice(-4), expMonth: month, expYear: year, behaviour };
}

const amountText = (i: Intent) => formatMoney(money(i.amount_minor, i.currency), i.locale);

function checkoutPage(ctx: Ctx, intent: Intent, state: { error?: string; name?: string }): string {
  const t = (key: string, p?: Record<string, string>) => ctx.t(key, intent.locale, p);
  return ctx.render('checkout', {
    t, intent, error: state.error, name: state.name ?? '', amount: amountText(intent),
    brands: ctx.config.brands.map((b) => brandLabel(b)).join(', '), testCards: Object.entries(TEST_CARDS),
  });
}
