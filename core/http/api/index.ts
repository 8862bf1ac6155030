import { Hono } from 'hono';
import type { DependencyContainer } from 'tsyringe';
import { TOKENS } from '../../tokens.js';
import { accountRoutes } from './accounts.js';
import { requireApiKey } from './api-key.js';
import { catalogueRoutes } from './catalogue.js';
import { idempotentPosts } from './idempotency.js';
import { orderRoutes } from './orders.js';

/** The host panel's JSON API (server to server): API key on every call, Idempotency-Key on every POST. */
export function apiRoutes(container: DependencyContainer): Hono {
  const config = container.resolve(TOKENS.Config);
  const api = new Hono();
  api.use('*', requireApiKey(config.secrets.apiKeys));
  api.use('*', idempotentPosts(container.resolve(TOKENS.Sql)));
  api.route('/accounts', accountRoutes(container));
  api.route('/accounts', orderRoutes(container));
  api.route('/catalogue', catalogueRoutes(container));
  return api;
}
