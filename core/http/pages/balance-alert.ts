import { type Money, parseAmount } from '@saldo/sdk';
import type { Context } from 'hono';
import type { BillingAccount } from '../../accounts/types.js';
import type { Services } from '../../services.js';
import { fragmentResponse, type PageContext, pageContext, renderPartial } from '../render.js';
import { formAnswer, fromHtmx, refusalMessage } from './forms.js';
import { type PageEnv, requireAccount } from './session.js';

/** The low-balance alert form as the page shows it: where it posts, what its field holds, what the last post came to. */
export interface AlertForm {
  action: string;
  value: string;
  error?: string;
  saved?: string;
}

/** The balance page's own query (its filter, the rows it shows), kept across the form's post so the customer lands back on the same page. */
function pageQuery(query: Record<string, string>, saved?: string): string {
  if (!saved) {
    let empty = true;
    for (const _ in query) empty = false;
    if (empty) return '';
  }
  const params = new URLSearchParams(Object.entries(query).filter(([name]) => name !== 'saved'));
  if (saved) params.set('saved', saved);
  return params.size ? `?${params}` : '';
}

const savedMessage = (ctx: PageContext, threshold: Money | null) =>
  threshold ? ctx.t('notices:alertSaved', { threshold: ctx.money(threshold) }) : ctx.t('notices:alertRemoved');

/** The form on a page read: the account's alert level, and a confirmation after a post without JavaScript. */
export function alertForm(ctx: PageContext, account: BillingAccount, query: Record<string, string>): AlertForm {
  return {
    action: `${ctx.base}/balance/threshold${pageQuery(query)}`,
    value: account.lowBalanceThreshold ? ctx.number(account.lowBalanceThreshold) : '',
    ...(query.saved === 'alert' && { saved: savedMessage(ctx, account.lowBalanceThreshold) }),
  };
}

type Deps = Pick<Services, 'config' | 'i18n' | 'accounts'>;

/**
 * `POST /balance/threshold`: the alert level, typed in the customer's own notation ("12,50" in
 * French), or nothing to turn the alert off. A refused value comes back beside the field as
 * typed (422); a saved one is confirmed — for htmx with the balance's notice brought up to date,
 * without JavaScript by a redirect to the same page. `page` renders the whole balance page.
 */
export async function saveThreshold(c: Context<PageEnv>, { config, i18n, accounts }: Deps, page: (c: Context<PageEnv>, alert: AlertForm) => Promise<Response>) {
  const account = await requireAccount(c, accounts);
  const body = await c.req.parseBody();
  const text = typeof body.threshold === 'string' ? body.threshold.trim() : '';
  const query = c.req.query();
  const balancePage = `${config.server.basePath}/balance`;
  c.set('here', balancePage + pageQuery(query));
  const ctx = pageContext(c, i18n, config);
  const action = `${balancePage}/threshold${pageQuery(query)}`;
  let threshold: Money | null;
  try {
    threshold = text === '' ? null : parseAmount(text, account.currency, c.get('locale'), { allowZero: true });
  } catch (error) {
    const alert = { action, value: text, error: refusalMessage(ctx, error) };
    return formAnswer(c, ctx, { partial: 'partials/alert-form', data: { account, alert }, status: 422 }, () => page(c, alert));
  }
  await accounts.setLowBalanceThreshold(account.id, threshold);
  if (!fromHtmx(c)) return c.redirect(balancePage + pageQuery(query, 'alert'), 303);
  const alert = { action, value: threshold ? ctx.number(threshold) : '', saved: savedMessage(ctx, threshold) };
  const notice = renderPartial(ctx, 'partials/balance-notice', { account: { ...account, lowBalanceThreshold: threshold }, balance: await accounts.balance(account.id), oob: true });
  return fragmentResponse(c, ctx, renderPartial(ctx, 'partials/alert-form', { account, alert }) + notice);
}
