import { randomBytes } from 'node:crypto';
import { type Money, signTimestamped, type SqlHandle } from '@saldo/sdk';

/**
 * Acme Pay, as its client library would present it: payment sessions on a hosted page, refunds,
 * signed events. This example keeps Acme's side in the plugin's own tables so that it runs with
 * nothing else installed; a real gateway calls its processor's API here instead, and the rest of
 * the plugin stays as it is.
 */
export type SessionStatus = 'open' | 'paid' | 'failed' | 'canceled' | 'expired';

export interface AcmeSession {
  id: string;
  payment_id: string;
  amount_minor: bigint;
  currency: string;
  status: SessionStatus;
  locale: string;
  page_url: string;
  return_url: string;
}

const acmeId = (prefix: string) => `${prefix}_${randomBytes(10).toString('hex')}`;

/** Opens a session for Saldo's payment; the payment id is Acme's idempotency key, so asking again finds the same session. */
export async function openSession(sql: SqlHandle, s: { paymentId: string; amount: Money; locale: string; pagesUrl: string; returnUrl: string }): Promise<AcmeSession> {
  const id = acmeId('as');
  await sql`
    INSERT INTO acme_sessions (id, payment_id, amount_minor, currency, locale, page_url, return_url)
    VALUES (${id}, ${s.paymentId}, ${s.amount.amount}, ${s.amount.currency}, ${s.locale}, ${`${s.pagesUrl}/checkout/${id}`}, ${s.returnUrl})
    ON CONFLICT (payment_id) DO NOTHING`;
  return (await findSession(sql, { paymentId: s.paymentId }))!;
}

export async function findSession(sql: SqlHandle, by: { id: string } | { paymentId: string }): Promise<AcmeSession | undefined> {
  const [row] = 'id' in by
    ? await sql<AcmeSession[]>`SELECT * FROM acme_sessions WHERE id = ${by.id}`
    : await sql<AcmeSession[]>`SELECT * FROM acme_sessions WHERE payment_id = ${by.paymentId}`;
  return row;
}

/** The customer's choice on Acme's page ends an open session; an ended one stays as it ended. */
export async function endSession(sql: SqlHandle, id: string, status: Exclude<SessionStatus, 'open' | 'expired'>): Promise<AcmeSession | undefined> {
  await sql`UPDATE acme_sessions SET status = ${status}, updated_at = now() WHERE id = ${id} AND status = 'open'`;
  return findSession(sql, { id });
}

/** Acme closes sessions left open longer than `minutes` (its scheduled clean-up). */
export async function expireSessions(sql: SqlHandle, minutes: number): Promise<number> {
  const expired = await sql`
    UPDATE acme_sessions SET status = 'expired', updated_at = now()
     WHERE status = 'open' AND created_at < now() - make_interval(mins => ${minutes}) RETURNING id`;
  return expired.length;
}

/** Gives back part or all of a paid session, once per refund id; more than is left is refused. */
export async function refundSession(sql: SqlHandle, r: { sessionId: string; refundId: string; amount: Money }): Promise<{ id: string } | { error: string }> {
  const [made] = await sql<{ id: string }[]>`
    INSERT INTO acme_refunds (refund_id, id, session_id, amount_minor)
    SELECT ${r.refundId}, ${acmeId('ar')}, s.id, ${r.amount.amount}
      FROM acme_sessions s
     WHERE s.id = ${r.sessionId} AND s.status = 'paid'
       AND s.amount_minor - coalesce((SELECT sum(amount_minor) FROM acme_refunds WHERE session_id = s.id), 0) >= ${r.amount.amount}
    ON CONFLICT (refund_id) DO NOTHING
    RETURNING id`;
  if (made) return made;
  const [earlier] = await sql<{ id: string }[]>`SELECT id FROM acme_refunds WHERE refund_id = ${r.refundId}`;
  return earlier ?? { error: 'amount_too_large' };
}

/**
 * An event as Acme posts it to `…/billing/gateways/acme/webhook`: JSON (amounts as strings of
 * minor units, never floats) signed in `Acme-Signature` (`t=…,v1=…`, the SDK's timestamped
 * HMAC). Acme's library offers it to test a receiver with; the conformance suite uses it so.
 */
export function acmeEvent(secret: string, session: AcmeSession, options: { eventId?: string; at?: number } = {}) {
  const at = options.at ?? Math.floor(Date.now() / 1000);
  const body = JSON.stringify({
    id: options.eventId ?? acmeId('evt'), type: 'session.updated', created: at,
    session: { id: session.id, payment_id: session.payment_id, status: session.status, amount: session.amount_minor.toString(), currency: session.currency },
  });
  return { body, headers: { 'content-type': 'application/json', 'acme-signature': signTimestamped(secret, body, at) } };
}
