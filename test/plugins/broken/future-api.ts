import { defineGateway, z } from '@saldo/sdk';

// Written for a plugin API this Saldo does not implement yet.
export default defineGateway({
  code: 'from-the-future',
  apiVersion: 99,
  label: 'future:label',
  configSchema: z.object({}),
  capabilities: { topUp: true },
  createPayment: async () => ({ status: 'unknown' }),
  getPayment: async () => ({ status: 'not_found' }),
});
