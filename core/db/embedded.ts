import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

export interface EmbeddedServer {
  host: string;
  port: number;
  stop(): Promise<void>;
}

/**
 * Starts PGlite (PostgreSQL compiled to WebAssembly) with its files under `dataDir` and serves it
 * on a free loopback port. Exactly one client may connect: a second connection would be dropped
 * and reconnect in a loop, so the caller opens a single-connection pool.
 */
export async function startEmbeddedServer(dataDir: string): Promise<EmbeddedServer> {
  const inMemory = dataDir.startsWith('memory://');
  const dir = inMemory ? dataDir : resolve(dataDir, 'pg');
  if (!inMemory) mkdirSync(dir, { recursive: true });

  const db = await PGlite.create(dir);
  const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0 });
  await server.start();
  const address = server.getServerConn();
  const separator = address.lastIndexOf(':');

  return {
    host: address.slice(0, separator),
    port: Number(address.slice(separator + 1)),
    async stop() {
      await server.stop();
      await db.close();
    },
  };
}
