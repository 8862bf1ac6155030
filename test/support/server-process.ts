import { type ChildProcess, spawn } from 'node:child_process';
import { projectRoot } from '../../config/load.js';

/** A Saldo server run as `npm start` runs it, in a process (group) of its own. */
export interface ServerProcess {
  /** Where the billing app answers, e.g. `http://127.0.0.1:41234/billing`. */
  url: string;
  output(): string;
  /** Resolves with the exit code (null when a signal ended it). */
  exit: Promise<number | null>;
  /** True until the process has exited. */
  alive(): boolean;
  /** Sends `signal` to the whole group (npm, tsx, node) and waits for it to end. */
  kill(signal: NodeJS.Signals): Promise<void>;
}

const running = new Set<ServerProcess>();

/** Runs `npm start` with only the given environment; resolves once it prints its address. */
export function startServer(env: Record<string, string>): Promise<ServerProcess> {
  const child: ChildProcess = spawn('npm', ['start', '--silent'], {
    cwd: projectRoot,
    env: { PATH: process.env.PATH!, HOME: process.env.HOME ?? '/tmp', PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let output = '';
  let exited = false;
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => {
    exited = true;
    resolve(code);
  }));
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /Saldo is running at (http:\/\/\S+)/.exec(output);
      if (match && !server) {
        server = {
          url: match[1]!,
          output: () => output,
          exit,
          alive: () => !exited,
          async kill(signal) {
            if (exited || child.pid === undefined) return;
            process.kill(-child.pid, signal);
            await exit;
            running.delete(server!);
          },
        };
        running.add(server);
        resolve(server);
      }
    };
    let server: ServerProcess | undefined;
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    void exit.then((code) => reject(Object.assign(new Error(`exited with ${code}: ${output}`), { output, code })));
  });
}

/** Ends every server still running (for `afterEach`/`afterAll`). */
export async function stopServers() {
  await Promise.all([...running].map((s) => s.kill('SIGTERM')));
}
