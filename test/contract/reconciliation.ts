import { randomUUID } from 'node:crypto';
import { money } from '@saldo/sdk';
import { expect, it } from 'vitest';
import { isOpen } from '../../core/payments/lifecycle.js';
import { insertPayment, type Payment } from '../../core/payments/payment.repo.js';
import { report } from '../support/databases.js';
import { ORIGIN, type Suite } from './gateway-conformance.js';

/**
 * Reconciliation until the payment is settled: while the processor still waits for the
 * customer, the customer pays there, and reconciliation asks again.
 */
async function settle(s: Suite, payment: Payment): Promise<Payment> {
  let now = await s.reconcileNow(payment);
  if (isOpen(now.status) && !now.outcomeUnknown) {
    await s.harness().collect(now);
    now = await s.reconcileNow(now);
  }
  return now;
}

/** TESTS #5 for any gateway: what a crash or a lost answer leaves open, reconciliation settles — once. */
export function reconciliationScenarios(s: Suite, options: { losesAnswers?: boolean }) {
  const eur = (amount: bigint) => money(amount, 'EUR');
  const recorded = async (accountId: bigint, amount: bigint) =>
    (await insertPayment(s.saldo().database.sql, { accountId, idempotencyKey: randomUUID(), requestHash: 'h', gateway: s.code, purpose: 'top_up', amount: eur(amount) })).payment;

  it('books a payment collected while Saldo heard nothing, once, by reconciliation', async () => {
    const accountId = await s.newAccount();
    const payment = await s.start(accountId, { purpose: 'top_up', amount: eur(2_600n) });
    if (payment.status === 'requires_action') await s.harness().collect(payment);
    expect((await s.saldo().payments.reconcile()).checked).toBe(0); // too recent: the customer may still be coming back
    const first = await s.reconcileNow(payment);
    const second = await s.reconcileNow(payment);
    expect([first.status, second.status]).toEqual(['succeeded', 'succeeded']);
    expect(await s.transfersOf(payment)).toBe(1);
    expect(await s.balanceOf(accountId)).toEqual(eur(2_600n));
  });

  it('cancels a payment recorded before a crash that kept the gateway from being called', async () => {
    const accountId = await s.newAccount();
    const payment = await recorded(accountId, 1_500n);
    expect(await s.reconcileNow(payment)).toMatchObject({ status: 'canceled', transferId: null });
  });

  it('settles a payment whose gateway call was made, when a crash lost the answer before Saldo recorded it', async () => {
    const accountId = await s.newAccount();
    const payment = await recorded(accountId, 1_700n);
    const gateway = s.saldo().payments.gateways.get(s.code);
    const base = `${ORIGIN}/billing`;
    // What the spine would have asked; the answer is dropped as a crash would drop it.
    await gateway.plugin.createPayment(gateway.ctx, {
      paymentId: payment.id, amount: payment.amount, customerNumber: (await s.saldo().accounts.get(accountId)).customerNumber, description: 'conformance', locale: 'en',
      returnUrl: `${base}/payments/${payment.id}/return`, gatewayUrl: `${base}/gateways/${s.code}`,
    });
    const settled = await settle(s, payment);
    expect(settled.status).toBe('succeeded');
    expect(await s.transfersOf(settled)).toBe(1);
    report(`conformance ${s.name} crash after the call on ${s.target}`, { status: settled.status, credits: await s.transfersOf(settled) });
  });

  if (!options.losesAnswers) return;
  it('lists a payment whose answer was lost as unknown, until reconciliation settles it', async () => {
    const harness = s.harness();
    const accountId = await s.newAccount();
    harness.loseAnswers!(10);
    const lost = await s.start(accountId, { purpose: 'top_up', amount: eur(1_900n) });
    harness.loseAnswers!(0);
    expect(lost).toMatchObject({ status: 'created', outcomeUnknown: true });
    expect((await s.saldo().payments.unknown()).map((u) => u.id)).toContain(lost.id);
    const settled = await settle(s, lost);
    expect(isOpen(settled.status)).toBe(false);
    expect((await s.saldo().payments.unknown()).map((u) => u.id)).not.toContain(lost.id);
    expect(await s.transfersOf(settled)).toBe(settled.status === 'succeeded' ? 1 : 0);
    report(`conformance ${s.name} lost answer on ${s.target}`, { listedUnknown: true, settledAs: settled.status, credits: await s.transfersOf(settled) });
  });
}
