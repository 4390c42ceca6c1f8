/**
 * A scripted LSP client for the real `codegym serve`, over Microsoft's protocol library (what
 * vscode-languageclient uses underneath). Every notification is kept, so a test can wait for one
 * that arrived before it started waiting; server-to-client requests get the answers VS Code
 * would give.
 */

import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';

import {
  createMessageConnection,
  ExitNotification,
  InitializedNotification,
  InitializeRequest,
  ShutdownRequest,
  StreamMessageReader,
  StreamMessageWriter,
  type InitializeResult,
  type MessageConnection,
  type ShowMessageRequestParams,
} from 'vscode-languageserver-protocol/node';

import { EXTENSION_ROOT } from './manifest';

export const REPO_ROOT = path.resolve(EXTENSION_ROOT, '..');
const WAIT_MS = 30_000;

/** `CODEGYM_PYTHON`, else the repository's `.venv` (made by `python3 make.py install`). */
export function serverPython(): string {
  const python = process.env.CODEGYM_PYTHON ?? path.join(REPO_ROOT, '.venv', 'bin', 'python');
  if (!existsSync(python)) {
    throw new Error(`${python} does not exist: run "python3 make.py install" at the repository root, or set CODEGYM_PYTHON`);
  }
  return python;
}

export interface Notification {
  method: string;
  params: unknown;
}

export interface SessionOptions {
  root: string;
  initializationOptions: object;
  /** The answer to `workspace/configuration` for the `codegym` section. */
  configuration: object;
}

export class LspSession {
  readonly notifications: Notification[] = [];
  readonly messageRequests: ShowMessageRequestParams[] = [];
  readonly shownDocuments: string[] = [];
  initializeResult: InitializeResult | undefined;
  private stderr = '';
  private readonly waiters = new Set<() => void>();

  private constructor(
    private readonly child: ChildProcessWithoutNullStreams,
    readonly connection: MessageConnection,
    private readonly options: SessionOptions,
  ) {}

  static async start(options: SessionOptions): Promise<LspSession> {
    const child = spawn(serverPython(), ['-m', 'codegym.cli', 'serve'], { cwd: options.root, env: process.env });
    const connection = createMessageConnection(new StreamMessageReader(child.stdout), new StreamMessageWriter(child.stdin));
    const session = new LspSession(child, connection, options);
    child.stderr.on('data', (data: Buffer) => {
      session.stderr += data.toString();
    });
    session.listen();
    const uri = pathToFileURL(options.root).href;
    session.initializeResult = await connection.sendRequest(InitializeRequest.type, {
      processId: process.pid,
      // eslint-disable-next-line @typescript-eslint/no-deprecated -- required by the type; VS Code sends it too
      rootUri: uri,
      workspaceFolders: [{ uri, name: path.basename(options.root) }],
      initializationOptions: options.initializationOptions,
      capabilities: {
        workspace: { configuration: true, workspaceFolders: true, applyEdit: true },
        window: { showDocument: { support: true }, showMessage: { messageActionItem: { additionalPropertiesSupport: false } } },
        textDocument: { synchronization: { didSave: true }, publishDiagnostics: { versionSupport: true } },
      },
    });
    await connection.sendNotification(InitializedNotification.type, {});
    return session;
  }

  private listen(): void {
    this.connection.onNotification((method, params) => {
      this.notifications.push({ method, params });
      for (const wake of this.waiters) {
        wake();
      }
    });
    this.connection.onRequest((method, params) => {
      switch (method) {
        case 'window/showMessageRequest': {
          const request = params as ShowMessageRequestParams;
          this.messageRequests.push(request);
          return request.actions?.[0] ?? null; // "Create exercises"
        }
        case 'window/showDocument':
          this.shownDocuments.push((params as { uri: string }).uri);
          return { success: true };
        case 'workspace/configuration':
          return (params as { items: { section?: string }[] }).items.map((item) =>
            item.section === 'codegym' ? this.options.configuration : null,
          );
        case 'workspace/applyEdit':
          return { applied: false };
        default:
          return null; // progress tokens, registrations, refreshes
      }
    });
    this.connection.listen();
  }

  /** The number of notifications so far: pass it to `waitFor` to see only later ones. */
  mark(): number {
    return this.notifications.length;
  }

  /** The first notification of `method` (from index `since`) whose params satisfy `matches`. */
  async waitFor<T>(method: string, matches: (params: T) => boolean = () => true, since = 0): Promise<T> {
    const find = (): T | undefined =>
      this.notifications
        .slice(since)
        .find((item) => item.method === method && matches(item.params as T))?.params as T | undefined;
    const found = find();
    if (found !== undefined) {
      return found;
    }
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(wake);
        reject(new Error(`no ${method} in ${WAIT_MS} ms; server log:\n${this.stderr.slice(-3000)}`));
      }, WAIT_MS);
      const wake = (): void => {
        const params = find();
        if (params !== undefined) {
          clearTimeout(timer);
          this.waiters.delete(wake);
          resolve(params);
        }
      };
      this.waiters.add(wake);
    });
  }

  /** Messages the server showed (`window/showMessage`). */
  shownMessages(): string[] {
    return this.notifications
      .filter((item) => item.method === 'window/showMessage')
      .map((item) => (item.params as { message: string }).message);
  }

  async stop(): Promise<void> {
    const exited = this.child.exitCode === null ? new Promise((resolve) => this.child.once('exit', resolve)) : Promise.resolve();
    try {
      await this.connection.sendRequest(ShutdownRequest.type);
      await this.connection.sendNotification(ExitNotification.type);
    } finally {
      const timer = setTimeout(() => this.child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
      this.connection.dispose();
    }
  }
}
