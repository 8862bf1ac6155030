import card from '../../plugins/gateways/card/index.js';
import { payOnHostedPage, sandboxNotification } from '../support/sandbox-card.js';
import { testSaldo } from '../support/saldo.js';
import { gatewayConformance } from './gateway-conformance.js';

/** The card gateway on its sandbox processor: the customer types a test card on the sandbox's hosted page. */
gatewayConformance('card on the sandbox processor', card, async (database) => {
  const saldo = await testSaldo(database);
  return {
    saldo,
    collect: async (payment) => void (await payOnHostedPage(saldo, payment, { number: '4242 4242 4242 4242' })),
    refuse: async (payment) => void (await payOnHostedPage(saldo, payment, { number: '4000 0000 0000 0002' })),
    notification: async (payment, outcome, forge) => {
      const n = await sandboxNotification(database.sql, payment, outcome, {
        ...(forge === 'secret' && { secret: 'a-guessed-secret-0123456789' }),
        ...(forge === 'stale' && { at: Math.floor(Date.now() / 1000) - 301 }),
      });
      return { body: n.body, headers: { 'content-type': 'application/json', 'sandbox-signature': n.signature } };
    },
  };
});
