import { randomUUID } from 'node:crypto';
import { money } from '@saldo/sdk';
import { expect, it } from 'vitest';
import { report } from '../support/databases.js';
import type { Suite } from './gateway-conformance.js';

const eur = (amount: bigint) => money(amount, 'EUR');

/** The payment as the customer's return finds it once the processor collected it. */
async function collected(s: Suite, accountId: bigint, extra: Parameters<Suite['start']>[2] = {}, amount = 2_500n) {
  const started = await s.start(accountId, { purpose: 'top_up', amount: eur(amount) }, extra);
  if (started.status === 'requires_action') await s.harness().collect(started);
  return s.saldo().payments.refresh(accountId, started.id);
}

/** Declared capabilities match behaviour; what is not declared, Saldo refuses before calling the gateway. */
export function capabilityScenarios(s: Suite) {
  const caps = s.plugin.capabilities;
  const refusedFor = async (ask: (accountId: bigint) => Promise<unknown>) => {
    const accountId = await s.newAccount();
    await expect(ask(accountId)).rejects.toMatchObject({ code: 'GATEWAY_UNAVAILABLE' });
  };

  if (caps.topUp) {
    it('tops up the balance: the collected payment is booked once and the panel told', async () => {
      const accountId = await s.newAccount();
      const paid = await collected(s, accountId);
      expect(paid).toMatchObject({ status: 'succeeded', reference: expect.any(String), transferId: expect.any(BigInt) });
      expect(await s.transfersOf(paid)).toBe(1);
      expect(await s.balanceOf(accountId)).toEqual(eur(2_500n));
      report(`conformance ${s.name} top-up on ${s.target}`, { status: paid.status, credits: await s.transfersOf(paid), balance: (await s.balanceOf(accountId)).amount });
    });
  } else {
    it('is refused for top-ups (not declared)', () => refusedFor((a) => s.start(a, { purpose: 'top_up', amount: eur(1_000n) })));
  }

  if (caps.payDue) {
    it('pays an order waiting for payment', async () => {
      const accountId = await s.newAccount();
      const orderId = await s.orderOf(accountId);
      const started = await s.start(accountId, { purpose: 'order', orderId });
      if (started.status === 'requires_action') await s.harness().collect(started);
      expect((await s.saldo().payments.refresh(accountId, started.id)).status).toBe('succeeded');
      expect((await s.saldo().orders.get(accountId, orderId)).status).toBe('paid');
    });
  } else {
    it('is refused for orders (payDue not declared)', () => refusedFor(async (a) => s.start(a, { purpose: 'order', orderId: await s.orderOf(a) })));
  }

  it('books nothing for a payment the processor refuses, and ends it', async () => {
    const accountId = await s.newAccount();
    const started = await s.start(accountId, { purpose: 'top_up', amount: eur(1_300n) });
    if (started.status === 'requires_action' || started.status === 'pending') await s.harness().refuse(started);
    const ended = await s.saldo().payments.refresh(accountId, started.id);
    expect(['declined', 'failed', 'canceled']).toContain(ended.status);
    expect(await s.transfersOf(ended)).toBe(0);
    expect(await s.balanceOf(accountId)).toEqual(eur(0n));
  });

  if (caps.refunds) {
    it('refunds in part and then the rest, once per refund id, through the core and at the processor', async () => {
      const accountId = await s.newAccount();
      const gateway = s.saldo().payments.gateways.get(s.code);
      // The hook itself: the processor's idempotency by refund id.
      const other = await collected(s, accountId, {}, 1_000n);
      const direct = randomUUID();
      const hook = (amount: bigint) => gateway.plugin.refund!(gateway.ctx, { refundId: direct, paymentId: other.id, reference: other.reference!, amount: eur(amount), reason: 'conformance' });
      const first = await hook(500n);
      expect(first).toMatchObject({ status: expect.stringMatching(/^(succeeded|pending)$/), reference: expect.any(String) });
      expect(await hook(500n)).toEqual(first);
      const paid = await collected(s, accountId, {}, 3_000n);
      // Through the payment spine: booked once per key, never beyond what was collected.
      const refund = (key: string, amount?: bigint) => s.saldo().payments.refund(accountId, paid.id, { ...(amount && { amount: eur(amount) }), reason: 'conformance', idempotencyKey: key });
      const part = await refund('part', 1_000n);
      expect((await refund('part', 1_000n)).id).toBe(part.id);
      await expect(refund('too-much', 2_001n)).rejects.toMatchObject({ code: 'REFUND_EXCEEDS_PAYMENT' });
      const rest = await refund('rest');
      if (part.status === 'succeeded' && rest.status === 'succeeded') {
        expect(await s.saldo().payments.get(accountId, paid.id)).toMatchObject({ status: 'refunded' });
        expect(await s.balanceOf(accountId)).toEqual(eur(1_000n));
      }
      report(`conformance ${s.name} refunds on ${s.target}`, { collected: 3_000, refunded: [1_000, 2_000], statuses: [part.status, rest.status] });
    });
  }

  if (caps.savedMethods) {
    it('keeps a method when asked, charges it again, and charges it no more once removed', async () => {
      const accountId = await s.newAccount();
      const first = await collected(s, accountId, { saveMethod: true });
      const [method] = await s.saldo().payments.methods(accountId);
      expect(first).toMatchObject({ status: 'succeeded', methodId: method!.id });
      const again = await collected(s, accountId, { methodId: method!.id }, 1_200n);
      expect(again.status).toBe('succeeded');
      const gateway = s.saldo().payments.gateways.get(s.code);
      await gateway.plugin.removeMethod!(gateway.ctx, method!.token);
      const after = await s.start(accountId, { purpose: 'top_up', amount: eur(1_100n) }, { methodId: method!.id });
      expect(['declined', 'failed']).toContain(after.status);
      expect(await s.balanceOf(accountId)).toEqual(eur(3_700n));
    });
  } else {
    it('is refused for saved methods (not declared)', () => refusedFor((a) => s.start(a, { purpose: 'top_up', amount: eur(1_000n) }, { methodId: randomUUID() })));
  }

  if (caps.offSession) {
    it('charges a kept method without the customer, and never asks the customer for a step', async () => {
      const accountId = await s.newAccount();
      await collected(s, accountId, { saveMethod: true });
      const [method] = await s.saldo().payments.methods(accountId);
      const auto = await s.start(accountId, { purpose: 'top_up', amount: eur(1_000n) }, { methodId: method!.id, offSession: true });
      expect(auto.status).toBe('succeeded');
      expect(await s.transfersOf(auto)).toBe(1);
    });
  } else {
    it('is refused without the customer (offSession not declared)', () => refusedFor((a) => s.start(a, { purpose: 'top_up', amount: eur(1_000n) }, { offSession: true })));
  }
}
