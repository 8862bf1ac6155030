import { z } from '@saldo/sdk';

// Declares itself a gateway but has no createPayment.
export default {
  kind: 'gateway',
  code: 'half-done',
  apiVersion: 1,
  label: 'half:label',
  configSchema: z.object({}),
  capabilities: { topUp: true },
};
