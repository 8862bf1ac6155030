import type { CardProcessor } from '../processor.js';

const notYet = async (): Promise<never> => {
  throw new Error('the Stripe processor is not available in this release; use processor "sandbox"');
};

/** Stripe's PaymentIntents (not built yet: every call says so). */
export const stripe: CardProcessor = {
  createPayment: notYet,
  getPayment: notYet,
  parseWebhook: notYet,
  refund: notYet,
  removeMethod: notYet,
  routes: [],
};
