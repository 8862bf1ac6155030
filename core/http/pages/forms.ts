import type { Context } from 'hono';
import { localizeParams } from '../../errors.js';
import { toBillingError } from '../errors.js';
import { fragmentResponse, type PageContext, type PageEnv, renderPartial } from '../render.js';

/** A request htmx sent (a form it enhances): it swaps the answer in place of the form. */
export const fromHtmx = (c: Context) => c.req.header('hx-request') === 'true';

/**
 * The message for a refused value, in the page's language, to show beside its field. Anything
 * but a client's mistake (a fault, the database away) goes on to the error page.
 */
export function refusalMessage(ctx: PageContext, error: unknown): string {
  const refusal = toBillingError(error);
  if (!refusal.isClientError) throw error;
  return ctx.t(refusal.i18nKey, localizeParams(refusal.params, ctx.locale));
}

/**
 * A form's answer to its post, the same for every form of the pages: htmx gets the form alone
 * (`partial`), which it swaps in place of the one sent, so the customer stays where they were;
 * without JavaScript the whole page comes back (`page`) with that same form in it. Either way
 * the fields keep what was typed, a refusal beside its field (status 422), a success confirmed.
 */
export function formAnswer(
  c: Context<PageEnv>, ctx: PageContext, form: { partial: string; data: Record<string, unknown>; status: number }, page: () => Response | Promise<Response>,
): Response | Promise<Response> {
  return fromHtmx(c) ? fragmentResponse(c, ctx, renderPartial(ctx, form.partial, form.data), form.status) : page();
}
