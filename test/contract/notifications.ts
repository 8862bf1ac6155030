import { money } from '@saldo/sdk';
import { expect, it } from 'vitest';
import type { Payment } from '../../core/payments/payment.repo.js';
import { report } from '../support/databases.js';
import type { Notification, Suite } from './gateway-conformance.js';

/** The same notification with its body changed after it was signed (still valid JSON). */
const altered = (n: Notification): Notification => ({ ...n, body: `{ ${n.body.slice(1)}` });

/** A payment the processor collected, of which Saldo has heard nothing yet. */
async function collectedUntold(s: Suite, amount: bigint): Promise<{ accountId: bigint; payment: Payment }> {
  const accountId = await s.newAccount();
  const payment = await s.start(accountId, { purpose: 'top_up', amount: money(amount, 'EUR') });
  expect(payment.status).toBe('requires_action');
  await s.harness().collect(payment);
  return { accountId, payment: await s.current(payment) };
}

/** TESTS #4 for any gateway that takes notifications: verified, applied once, never backwards. */
export function notificationScenarios(s: Suite) {
  if (!s.plugin.parseWebhook) return;

  it('rejects a forged, a stale and an altered notification, and writes nothing', async () => {
    const { accountId, payment } = await collectedUntold(s, 3_000n);
    const answers = [
      await s.post(await s.harness().notification(payment, 'succeeded', 'secret')),
      await s.post(await s.harness().notification(payment, 'succeeded', 'stale')),
      await s.post(altered(await s.harness().notification(payment, 'succeeded'))),
    ];
    expect(answers.map((a) => a.status)).toEqual([400, 400, 400]);
    for (const answer of answers) expect((await answer.json()).error.code).toBe('WEBHOOK_REJECTED');
    expect(await s.saldo().database.sql`SELECT 1 FROM gateway_events WHERE payment_id = ${payment.id}`).toHaveLength(0);
    expect((await s.current(payment)).status).toBe(payment.status);
    expect(await s.balanceOf(accountId)).toEqual(money(0n, 'EUR'));
    report(`conformance ${s.name} forged notifications on ${s.target}`, { sent: 3, rejected: answers.filter((a) => a.status === 400).length, written: 0 });
  });

  it('books a notification sent five times at once exactly once, and a later replay not again', async () => {
    const { accountId, payment } = await collectedUntold(s, 3_100n);
    const once = await s.harness().notification(payment, 'succeeded');
    const answers = await Promise.all(Array.from({ length: 5 }, async () => {
      const res = await s.post(once);
      expect(res.status).toBe(200);
      return (await res.json()) as { duplicate: boolean };
    }));
    expect(answers.filter((a) => !a.duplicate)).toHaveLength(1);
    expect(await (await s.post(once)).json()).toMatchObject({ duplicate: true });
    expect(await s.current(payment)).toMatchObject({ status: 'succeeded' });
    expect(await s.transfersOf(payment)).toBe(1);
    expect(await s.balanceOf(accountId)).toEqual(money(3_100n, 'EUR'));
    report(`conformance ${s.name} notification x5 on ${s.target}`, { sent: 6, applied: 1, credits: await s.transfersOf(payment) });
  });

  it('never moves a payment backwards: a late "declined" or "canceled" after "succeeded" changes nothing', async () => {
    const { accountId, payment } = await collectedUntold(s, 3_200n);
    expect((await s.post(await s.harness().notification(payment, 'succeeded'))).status).toBe(200);
    for (const late of ['declined', 'canceled'] as const) {
      expect((await s.post(await s.harness().notification(payment, late))).status).toBe(200);
    }
    expect(await s.current(payment)).toMatchObject({ status: 'succeeded', reason: null });
    expect(await s.transfersOf(payment)).toBe(1);
    expect(await s.balanceOf(accountId)).toEqual(money(3_200n, 'EUR'));
  });
}
