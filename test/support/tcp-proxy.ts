import { createServer, type AddressInfo, connect, type Server, type Socket } from 'node:net';

/**
 * A TCP proxy between Saldo and its PostgreSQL server, which a test cuts (every connection
 * closed, new ones refused — the server's side of a restart) and then opens again on the same port.
 */
export function tcpProxy(target: { host: string; port: number }) {
  const sockets = new Set<Socket>();
  let server: Server | undefined;
  let port = 0;
  return {
    /** Starts (or starts again) accepting connections; resolves once it does. */
    listen: () =>
      new Promise<number>((resolve, reject) => {
        server = createServer((client) => {
          const upstream = connect(target.port, target.host);
          for (const s of [client, upstream]) {
            sockets.add(s);
            s.on('error', () => {});
            s.on('close', () => {
              sockets.delete(s);
              client.destroy();
              upstream.destroy();
            });
          }
          client.pipe(upstream);
          upstream.pipe(client);
        });
        server.once('error', reject);
        server.listen(port, '127.0.0.1', () => {
          port = (server!.address() as AddressInfo).port;
          resolve(port);
        });
      }),
    get port() {
      return port;
    },
    /** Closes every connection and stops accepting new ones. */
    cut: () =>
      new Promise<void>((resolve) => {
        server!.close(() => resolve());
        for (const s of sockets) s.destroy();
      }),
  };
}

/** `url` (a postgres:// URL) with its host and port replaced. */
export function through(url: string, port: number): string {
  const parsed = new URL(url);
  parsed.hostname = '127.0.0.1';
  parsed.port = String(port);
  return parsed.toString();
}
