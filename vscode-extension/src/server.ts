/**
 * Starting, restarting and talking to `codegym serve` through vscode-languageclient. The
 * server's stderr goes to the "Code Gym" output channel; the `codegym` settings reach it as
 * initialization options and through `workspace/configuration`, mapped by `settings.ts`.
 */

import * as fs from 'node:fs';
import * as os from 'node:os';

import * as vscode from 'vscode';
import {
  CloseAction,
  DidChangeConfigurationNotification,
  ErrorAction,
  ExecuteCommandRequest,
  LanguageClient,
  ResponseError,
  RevealOutputChannelOn,
  State,
  type CloseHandlerResult,
  type LanguageClientOptions,
  type Middleware,
} from 'vscode-languageclient/node';

import {
  describeLaunch,
  failureReason,
  findOnPath,
  resolveLaunch,
  startFailureMessage,
  type Launch,
  type LaunchEnvironment,
} from './launch';
import { toServerSettings } from './settings';

export type ServerState = 'starting' | 'running' | 'stopped';

export interface ServerHooks {
  /** Called with each new client before it starts: register notification handlers here. */
  attach(client: LanguageClient): void;
  /** Middleware for what the rest of the extension intercepts (besides the configuration). */
  middleware: Middleware;
}

/** Crashes after a successful start are restarted, at most this many times in the window. */
const RESTARTS_ALLOWED = 3;
const RESTART_WINDOW_MS = 3 * 60_000;
const STOP_TIMEOUT_MS = 2_000;

const DOCUMENTS = ['python', 'javascript', 'yaml'].map((language) => ({ scheme: 'file', language }));

/** A client that stays quiet while it starts: `GymServer` reports a failed start itself. */
class CodeGymClient extends LanguageClient {
  starting = true;

  override error(message: string, data?: unknown, showNotification: boolean | 'force' = true): void {
    super.error(message, data, this.starting ? false : showNotification);
  }
}

export class GymServer implements vscode.Disposable {
  private client: CodeGymClient | undefined;
  private queue: Promise<void> = Promise.resolve();
  private crashes: number[] = [];
  private readonly stateChanged = new vscode.EventEmitter<ServerState>();
  readonly onDidChangeState = this.stateChanged.event;

  constructor(
    private readonly output: vscode.OutputChannel,
    private readonly hooks: ServerHooks,
  ) {}

  start(): Promise<void> {
    return this.serially(() => this.launch());
  }

  restart(): Promise<void> {
    return this.serially(async () => {
      await this.shutdown();
      await this.launch();
    });
  }

  /** The running client, once a start or restart in progress has finished. */
  async ready(): Promise<LanguageClient | undefined> {
    await this.queue;
    return this.client?.state === State.Running ? this.client : undefined;
  }

  /** `workspace/executeCommand`; problems are shown to the user and give `undefined`. */
  async executeCommand(command: string, args: unknown[]): Promise<unknown> {
    const client = await this.ready();
    if (client === undefined) {
      void this.offerRestart('Code Gym: the server is not running.');
      return undefined;
    }
    const known = client.initializeResult?.capabilities.executeCommandProvider?.commands ?? [];
    if (!known.includes(command)) {
      void vscode.window.showWarningMessage(
        `Code Gym: this version of the server has no ${command} command; update the server.`,
      );
      return undefined;
    }
    try {
      return await client.sendRequest(ExecuteCommandRequest.type, { command, arguments: args });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      void vscode.window.showErrorMessage(`Code Gym: ${command} failed: ${message}`);
      return undefined;
    }
  }

  /** Tells the server that `codegym.*` settings changed; it pulls them again. */
  configurationChanged(): void {
    if (this.client?.state === State.Running) {
      void this.client.sendNotification(DidChangeConfigurationNotification.type, { settings: null });
    }
  }

  /** Stops the server (on deactivation). */
  stop(): Promise<void> {
    return this.serially(() => this.shutdown());
  }

  /** Starts, restarts and stops run one after the other; a failed step does not block the next. */
  private serially(step: () => Promise<void>): Promise<void> {
    const run = this.queue.then(step);
    this.queue = run.catch((error: unknown) => {
      this.output.appendLine(String(error));
    });
    return run;
  }

  private async launch(): Promise<void> {
    const settings = vscode.workspace.getConfiguration('codegym.server');
    const launch = resolveLaunch(
      { command: settings.get<string | string[]>('command'), python: settings.get<string>('python') },
      launchEnvironment(),
    );
    this.output.appendLine(`Starting the server: ${describeLaunch(launch)} (from ${launch.origin})`);
    const client = new CodeGymClient(
      'codegym',
      'Code Gym',
      { command: launch.command, args: launch.args },
      this.clientOptions(),
    );
    client.onDidChangeState(({ newState }) => {
      if (this.client === client) {
        this.stateChanged.fire(newState === State.Running ? 'running' : newState === State.Starting ? 'starting' : 'stopped');
      }
    });
    this.hooks.attach(client);
    this.client = client;
    this.crashes = [];
    try {
      await client.start();
      client.starting = false;
    } catch (error) {
      this.client = undefined;
      this.stateChanged.fire('stopped');
      void this.reportStartFailure(launch, error);
    }
  }

  private clientOptions(): LanguageClientOptions {
    const workspace: Middleware['workspace'] = {
      // The `codegym` section as the server's Settings shape (VS Code's own shape would be
      // rejected: `contentDir`, `server`).
      configuration: async (params, token, next) => {
        const values = await next(params, token);
        if (values instanceof ResponseError) {
          return values;
        }
        return params.items.map((item, index): unknown =>
          item.section === 'codegym' ? toServerSettings(values[index]) : values[index],
        );
      },
    };
    return {
      documentSelector: DOCUMENTS,
      outputChannel: this.output,
      revealOutputChannelOn: RevealOutputChannelOn.Never,
      initializationOptions: () => toServerSettings(codegymSection()),
      errorHandler: {
        error: (_error, _message, count) => ({
          action: count !== undefined && count <= 3 ? ErrorAction.Continue : ErrorAction.Shutdown,
        }),
        closed: () => this.closed(),
      },
      middleware: { ...this.hooks.middleware, workspace },
    };
  }

  private closed(): CloseHandlerResult {
    if (this.client === undefined || this.client.starting) {
      return { action: CloseAction.DoNotRestart, handled: true }; // reported by launch()
    }
    const now = Date.now();
    this.crashes = [...this.crashes.filter((time) => now - time < RESTART_WINDOW_MS), now];
    if (this.crashes.length <= RESTARTS_ALLOWED) {
      return { action: CloseAction.Restart, message: 'The Code Gym server stopped; restarting it.' };
    }
    return {
      action: CloseAction.DoNotRestart,
      message:
        `The Code Gym server stopped ${this.crashes.length} times in 3 minutes and will not be ` +
        'restarted. Its messages are in the "Code Gym" output; "Code Gym: Restart Server" tries again.',
    };
  }

  private async shutdown(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    if (client === undefined) {
      return;
    }
    this.stateChanged.fire('stopped');
    try {
      await client.dispose(STOP_TIMEOUT_MS);
    } catch (error) {
      this.output.appendLine(`Stopping the server: ${String(error)}`);
    }
  }

  private async reportStartFailure(launch: Launch, error: unknown): Promise<void> {
    this.output.appendLine(`The server did not start: ${String(error)}`);
    const choice = await vscode.window.showErrorMessage(
      startFailureMessage(launch, failureReason(error)),
      'Open Settings',
      'Show Output',
      'Retry',
    );
    if (choice === 'Open Settings') {
      await vscode.commands.executeCommand('workbench.action.openSettings', 'codegym.server');
    } else if (choice === 'Show Output') {
      this.output.show();
    } else if (choice === 'Retry') {
      await this.restart();
    }
  }

  private async offerRestart(message: string): Promise<void> {
    const choice = await vscode.window.showErrorMessage(message, 'Restart Server', 'Show Output');
    if (choice === 'Restart Server') {
      await this.restart();
    } else if (choice === 'Show Output') {
      this.output.show();
    }
  }

  dispose(): void {
    this.stateChanged.dispose();
  }
}

/** The `codegym` section as a plain object, as the server's `workspace/configuration` pull gets it. */
function codegymSection(): unknown {
  return vscode.workspace.getConfiguration().get<unknown>('codegym');
}

function launchEnvironment(): LaunchEnvironment {
  const windows = process.platform === 'win32';
  return {
    workspaceFolder: vscode.workspace.workspaceFolders?.[0]?.uri.fsPath,
    home: os.homedir(),
    defaultPython: windows ? 'python' : 'python3',
    which: (name) => findOnPath(name, process.env.PATH ?? '', isExecutableFile, windows ? ['.exe', '.cmd'] : ['']),
  };
}

function isExecutableFile(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}
