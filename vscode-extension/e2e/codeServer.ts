/**
 * A real VS Code for the end-to-end test: code-server (VS Code in a browser tab) with the packaged
 * .vsix installed into a fresh extensions folder, a fresh user-data folder holding the test's
 * user settings, serving one workspace on 127.0.0.1 without authentication.
 */

import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import * as path from 'node:path';
import { promisify } from 'node:util';

import { until } from './wait';

const run = promisify(execFile);

export interface CodeServerOptions {
  /** The code-server program (`<dir>/node_modules/.bin/code-server`). */
  program: string;
  /** The .vsix to install. */
  vsix: string;
  /** A scratch folder: user data, extensions, config and log go below it. */
  home: string;
  /** VS Code user settings (settings.json). */
  settings: Record<string, unknown>;
  /** Extra environment of code-server, hence of the extension host and the language server. */
  env: NodeJS.ProcessEnv;
}

export class CodeServer {
  private constructor(
    private readonly child: ChildProcess,
    readonly url: string,
    readonly log: () => string,
    private readonly userData: string,
  ) {}

  static async start(options: CodeServerOptions): Promise<CodeServer> {
    const userData = path.join(options.home, 'user-data');
    const extensions = path.join(options.home, 'extensions');
    const config = path.join(options.home, 'config.yaml');
    mkdirSync(path.join(userData, 'User'), { recursive: true });
    mkdirSync(extensions, { recursive: true });
    writeFileSync(path.join(userData, 'User', 'settings.json'), JSON.stringify(options.settings, null, 2));
    const port = await freePort();
    // Given explicitly, so code-server neither reads nor writes ~/.config/code-server/config.yaml.
    writeFileSync(config, `bind-addr: 127.0.0.1:${port}\nauth: none\ncert: false\n`);
    const common = ['--config', config, '--user-data-dir', userData, '--extensions-dir', extensions];
    await run(options.program, [...common, '--install-extension', options.vsix, '--force'], { env: { ...process.env, ...options.env } });

    const child = spawn(
      options.program,
      [...common, '--disable-telemetry', '--disable-update-check', '--disable-getting-started-override', '--disable-workspace-trust'],
      // Its own process group: stop() ends code-server with its extension host and language server.
      { env: { ...process.env, ...options.env }, stdio: ['ignore', 'pipe', 'pipe'], detached: true },
    );
    let log = '';
    const append = (data: Buffer): void => {
      log += data.toString();
    };
    child.stdout.on('data', append);
    child.stderr.on('data', append);
    const server = new CodeServer(child, `http://127.0.0.1:${port}`, () => log, userData);
    await until(async () => (await fetch(`${server.url}/healthz`).catch(() => undefined))?.ok === true, 'code-server to listen', 60_000, () => log);
    return server;
  }

  /** The workbench URL that opens `folder`. */
  folderUrl(folder: string): string {
    return `${this.url}/?folder=${encodeURIComponent(folder)}`;
  }

  /** What the extensions wrote to the output channel `name`, over every window of the session. */
  outputChannel(name: string): string {
    const logs = path.join(this.userData, 'logs');
    const files = readdirSync(logs, { recursive: true, encoding: 'utf8' }).filter((file) => path.basename(file).endsWith(`-${name}.log`));
    return files
      .sort()
      .map((file) => readFileSync(path.join(logs, file), 'utf8'))
      .join('\n');
  }

  /** Ends code-server's process group (the extension host and the language server with it). */
  async stop(): Promise<void> {
    const group = this.child.pid;
    if (group === undefined) {
      return;
    }
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    signal(-group, 'SIGTERM');
    if (this.child.exitCode === null) {
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5_000))]);
    }
    signal(-group, 'SIGKILL'); // whatever is left of the group
  }
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // already gone
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => {
        resolve(typeof address === 'object' && address !== null ? address.port : 0);
      });
    });
  });
}
