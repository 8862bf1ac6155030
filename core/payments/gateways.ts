import { Eta } from 'eta';
import type { i18n } from 'i18next';
import type { GatewayCapabilities, GatewayContext, GatewayPlugin, Locale, SqlHandle } from '@saldo/sdk';
import { BillingError } from '../errors.js';
import type { LoadedPlugin } from '../plugin-host/loader.js';
import type { PluginRegistry } from '../plugin-host/registry.js';

/** An enabled gateway with the context its hooks are called with. */
export interface Gateway {
  code: string;
  plugin: GatewayPlugin;
  ctx: GatewayContext<unknown>;
}

/**
 * The gateways the provider enabled, each with its context: its options, a database handle for
 * its own tables, its strings and its views. The core reaches gateways only through here.
 */
export class Gateways {
  private readonly byCode = new Map<string, Gateway>();

  constructor(plugins: PluginRegistry, sql: SqlHandle, i18n: i18n) {
    for (const loaded of plugins.gateways) this.byCode.set(loaded.plugin.code, { code: loaded.plugin.code, plugin: loaded.plugin, ctx: gatewayContext(loaded, sql, i18n) });
  }

  get all(): Gateway[] {
    return [...this.byCode.values()];
  }

  /** The gateway `code`, able to do what is asked of it; GATEWAY_UNAVAILABLE otherwise (an unknown code is not found). */
  get(code: string, needs: (keyof GatewayCapabilities)[] = []): Gateway {
    const gateway = this.byCode.get(code);
    if (!gateway) throw new BillingError('GATEWAY_UNKNOWN', { gateway: code });
    const missing = needs.filter((n) => !gateway.plugin.capabilities[n]);
    if (missing.length) throw new BillingError('GATEWAY_UNAVAILABLE', { gateway: code, capability: missing.join(', ') });
    return gateway;
  }

  /** The gateways that can do all of `needs`, in the provider's order. */
  able(needs: (keyof GatewayCapabilities)[]): Gateway[] {
    return this.all.filter((g) => needs.every((n) => g.plugin.capabilities[n]));
  }
}

/** The context a gateway's hooks receive (see `GatewayContext` in the SDK). */
export function gatewayContext(loaded: LoadedPlugin<GatewayPlugin>, sql: SqlHandle, i18n: i18n): GatewayContext<unknown> {
  const { plugin } = loaded;
  const views = plugin.views ? new Eta({ views: plugin.views, cache: true, autoEscape: true }) : undefined;
  return {
    config: loaded.config,
    sql,
    t: (key: string, locale: Locale, params?: Record<string, string>) => i18n.t(`${plugin.code}:${key}`, { ...params, lng: locale }),
    render: (view: string, data: Record<string, unknown>) => {
      if (!views) throw new Error(`gateway ${plugin.code} has no views folder`);
      return views.render(view, data);
    },
  };
}
