import { parseAmount } from '@saldo/sdk';
import { type Context, Hono } from 'hono';
import type { BillingAccount } from '../../accounts/types.js';
import { BillingError } from '../../errors.js';
import type { Services } from '../../services.js';
import { toBillingError } from '../errors.js';
import { renewalChoiceAllowed } from '../../orders/renewal-choice.js';
import { pageContext, renderPage } from '../render.js';
import { formAnswer, fromHtmx, refusalMessage } from './forms.js';
import { savedMethodView } from './saved-methods.js';
import { type PageEnv, requireAccount } from './session.js';

type Deps = Pick<Services, 'config' | 'i18n' | 'accounts' | 'orders' | 'payments' | 'autoTopUps'>;
type Errors = Partial<Record<'threshold' | 'amount' | 'method', string>>;

/**
 * The customer's settings: saved cards (make default, remove), automatic top-up, and whether each
 * service renews from the balance by itself.
 */
export function settingsPages({ config, i18n, accounts, orders, payments, autoTopUps }: Deps): Hono<PageEnv> {
  const base = config.server.basePath;
  const app = new Hono<PageEnv>();
  const back = (c: Context<PageEnv>, saved: string) => c.redirect(`${base}/settings?saved=${saved}`, 303);

  /** The page; after a post of the automatic top-up, that form as sent back (for htmx, the form alone). */
  async function page(c: Context<PageEnv>, account: BillingAccount, state: { form?: Record<string, string>; errors?: Errors; saved?: string; status?: number } = {}) {
    c.set('here', `${base}/settings`);
    const ctx = pageContext(c, i18n, config);
    const [cards, auto, services] = await Promise.all([payments.methods(account.id), autoTopUps.get(account.id, account.currency), orders.services(account.id)]);
    const onCredit = account.creditLimit.amount > 0n;
    const offSession = new Set(payments.gateways.able(['offSession', 'savedMethods']).map((g) => g.code));
    const data = {
      account, auto, errors: state.errors ?? {}, saved: state.saved ?? c.req.query('saved') ?? '',
      cards: cards.map((m) => ({ ...savedMethodView(m), offSession: offSession.has(m.gateway) })),
      form: state.form ?? {
        enabled: auto?.enabled ? 'on' : '', threshold: auto ? ctx.number(auto.threshold) : '', amount: auto ? ctx.number(auto.amount) : '', method: auto?.methodId ?? cards[0]?.id ?? '',
      },
      services: services.filter((s) => s.status === 'active'),
      // On credit (postpaid) a renewal is a charge on the monthly bill; from a prepaid balance, the customer's choice if the provider allows it.
      onCredit, renewalChoice: renewalChoiceAllowed(config.billing.balanceRenewals, onCredit),
    };
    const whole = () => renderPage(c, ctx, 'pages/settings', data, { title: ctx.t('settings:title'), status: (state.status ?? 200) as never });
    return state.form ? formAnswer(c, ctx, { partial: 'partials/auto-top-up-form', data, status: state.status ?? 200 }, whole) : whole();
  }

  app.get('/', async (c) => page(c, await requireAccount(c, accounts)));

  app.post('/cards/:id/default', async (c) => {
    const account = await requireAccount(c, accounts);
    await payments.setDefaultMethod(account.id, c.req.param('id'));
    return back(c, 'card');
  });

  app.post('/cards/:id/remove', async (c) => {
    const account = await requireAccount(c, accounts);
    await payments.removeMethod(account.id, c.req.param('id'));
    return back(c, 'card-removed');
  });

  /** Amounts typed in the customer's own notation; a refused one is shown next to its field with what was typed. */
  app.post('/auto-top-up', async (c) => {
    const account = await requireAccount(c, accounts);
    const body = await c.req.parseBody();
    const form = Object.fromEntries(['enabled', 'threshold', 'amount', 'method'].map((k) => [k, typeof body[k] === 'string' ? (body[k] as string).trim() : ''])) as Record<string, string>;
    const ctx = pageContext(c, i18n, config);
    const errors: Errors = {};
    const read = (field: 'threshold' | 'amount') => {
      try {
        return parseAmount(form[field]!, account.currency, c.get('locale'), { allowZero: field === 'threshold' });
      } catch (error) {
        errors[field] = refusalMessage(ctx, error);
        return undefined;
      }
    };
    const threshold = read('threshold');
    const amount = read('amount');
    if (threshold && amount) {
      try {
        await autoTopUps.save(account.id, { enabled: form.enabled === 'on', threshold, amount, methodId: form.method || null });
        // Saved: htmx gets the form as saved, with its confirmation; a browser without JavaScript, the page again.
        return fromHtmx(c) ? page(c, account, { form: { ...form, threshold: ctx.number(threshold), amount: ctx.number(amount) }, saved: 'auto-top-up' }) : back(c, 'auto-top-up');
      } catch (error) {
        errors[toBillingError(error).code.startsWith('PAYMENT_METHOD') ? 'method' : 'amount'] = refusalMessage(ctx, error);
      }
    }
    return page(c, account, { form, errors, status: 422 });
  });

  /** The customer's choice to have a service renew by itself, or not (refused where the provider forbids it). */
  app.post('/services/:id/auto-renew', async (c) => {
    const account = await requireAccount(c, accounts);
    const id = c.req.param('id');
    if (!/^\d{1,18}$/.test(id)) throw new BillingError('SERVICE_NOT_FOUND');
    const body = await c.req.parseBody();
    await orders.setAutoRenew(account.id, BigInt(id), body.on === 'true');
    return back(c, 'renewal');
  });

  return app;
}
