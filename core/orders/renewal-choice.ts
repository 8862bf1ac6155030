import type { BalanceRenewals } from '../../config/schema.js';

/** Why a due service does not renew by itself. */
export type RenewalBlock = 'balance_renewals_disabled' | 'auto_renew_off';

/**
 * Whether a due service renews by itself, and if not, why. On credit (a postpaid account, whose
 * credit limit takes the charge and whose monthly bill lists it) it does, as it always has, unless
 * the customer turned it off. From a prepaid balance — money paid in advance — only where the
 * provider allows it, and then as the customer chose: before they choose, as the provider's
 * default says. `choice` is the customer's own switch, null until they use it.
 */
export function renewalBlock(policy: BalanceRenewals, onCredit: boolean, choice: boolean | null): RenewalBlock | undefined {
  if (onCredit) return choice === false ? 'auto_renew_off' : undefined;
  if (policy === 'forbidden') return 'balance_renewals_disabled';
  return (choice ?? policy === 'on-by-default') ? undefined : 'auto_renew_off';
}

/** Whether the customer may have a service renew by itself: the switch is shown, and accepted, only then. */
export const renewalChoiceAllowed = (policy: BalanceRenewals, onCredit: boolean) => onCredit || policy !== 'forbidden';
