/**
 * Starting, restarting and talking to `codegym serve` through vscode-languageclient; finding the
 * server (`launch.ts`) and installing the managed one (`managedServer.ts`) when there is none. The
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
  findPython,
  missingServerMessage,
  planServer,
  startFailureMessage,
  type Launch,
  type LaunchEnvironment,
} from './launch';
import { type ManagedServer } from './managedServer';
import { toServerSettings } from './settings';

/**
 * `idle`: not started (not a Code Gym workspace yet); `noServer`: none found, one can be
 * installed; `installing`: the managed environment is being made; `stopped`: a start failed or the
 * server stopped.
 */
export type ServerState = 'idle' | 'noServer' | 'installing' | 'starting' | 'running' | 'stopped';

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
  /** Why `initialize` failed, when it did (the server exited before it answered). */
  initializeError: unknown;

  override error(message: string, data?: unknown, showNotification: boolean | 'force' = true): void {
    super.error(message, data, this.starting ? false : showNotification);
  }

  override start(): Promise<void> {
    const started = super.start();
    // When the server exits before it answers `initialize`, vscode-languageclient 9 drops its own
    // start promise, rejected, and start() resolves: GymServer reports `initializeError` instead.
    (this as unknown as { _onStart?: Promise<void> })._onStart?.catch(() => undefined);
    return started;
  }

  /** vscode-languageclient stops a client whose initialization failed while it is still
   * starting, which it refuses; there is nothing to stop then (the process is gone). */
  override stop(timeout?: number): Promise<void> {
    return this.starting && this.state === State.Starting ? Promise.resolve() : super.stop(timeout);
  }
}

export class GymServer implements vscode.Disposable {
  private client: CodeGymClient | undefined;
  private queue: Promise<void> = Promise.resolve();
  private crashes: number[] = [];
  private readonly stateChanged = new vscode.EventEmitter<ServerState>();
  readonly onDidChangeState = this.stateChanged.event;
  private current: ServerState = 'idle';
  private started = false;

  constructor(
    private readonly output: vscode.OutputChannel,
    private readonly managed: ManagedServer,
    private readonly hooks: ServerHooks,
  ) {}

  get state(): ServerState {
    return this.current;
  }

  /** Starts the server unless it was started before (a later start is a restart). */
  start(): Promise<void> {
    if (this.started) {
      return this.queue;
    }
    this.started = true;
    return this.serially(() => this.launch());
  }

  /** Makes the managed environment again with the user's Python, then starts its server. */
  install(): Promise<void> {
    this.started = true;
    return this.serially(async () => {
      await this.shutdown();
      const python = findPython(this.launchEnvironment());
      if (python === undefined) {
        this.setState('noServer');
        void this.reportMissing('no-python');
        return;
      }
      await this.installWith(python);
    });
  }

  restart(): Promise<void> {
    this.started = true;
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
    await this.start(); // a command is an explicit request for Code Gym, in any folder
    const client = await this.ready();
    if (client === undefined) {
      if (this.current === 'noServer') {
        void this.restart(); // offers the install again
      } else {
        void this.offerRestart('Code Gym: the server is not running.');
      }
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

  showOutput(): void {
    this.output.show();
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

  private setState(state: ServerState): void {
    this.current = state;
    this.stateChanged.fire(state);
  }

  private launchEnvironment(): LaunchEnvironment {
    const windows = process.platform === 'win32';
    const which = (name: string): string | undefined =>
      findOnPath(name, process.env.PATH ?? '', isExecutableFile, windows ? ['.exe', '.cmd'] : ['']);
    return {
      workspaceFolder: vscode.workspace.workspaceFolders?.[0]?.uri.fsPath,
      home: os.homedir(),
      which,
      pythonNames: windows ? ['python', 'py'] : ['python3', 'python'],
      managed: { program: this.managed.program, state: this.managed.state() },
      hasWheel: this.managed.wheel !== undefined,
    };
  }

  private async launch(): Promise<void> {
    const settings = vscode.workspace.getConfiguration('codegym.server');
    const plan = planServer(
      { command: settings.get<string | string[]>('command'), python: settings.get<string>('python') },
      this.launchEnvironment(),
    );
    if (plan.kind === 'install' && plan.update) {
      this.output.appendLine('The managed server is older than this extension: installing the new one.');
      await this.installWith(plan.python);
      return;
    }
    if (plan.kind !== 'launch') {
      this.setState('noServer');
      void (plan.kind === 'install' ? this.offerInstall(plan.python) : this.reportMissing(plan.reason));
      return;
    }
    const launch = plan.launch;
    this.output.appendLine(`Starting the server: ${describeLaunch(launch)} (from ${launch.origin})`);
    const client = new CodeGymClient('codegym', 'Code Gym', { command: launch.command, args: launch.args }, this.clientOptions());
    client.onDidChangeState(({ newState }) => {
      if (this.client === client) {
        this.setState(newState === State.Running ? 'running' : newState === State.Starting ? 'starting' : 'stopped');
      }
    });
    this.hooks.attach(client);
    this.client = client;
    this.crashes = [];
    this.setState('starting');
    let error: unknown;
    try {
      await client.start();
    } catch (thrown) {
      error = thrown;
    }
    client.starting = false;
    // A server that exits before it answers `initialize` leaves start() resolved, the client
    // in its "start failed" state and the reason in the initialization-failed handler.
    if (error !== undefined || client.state !== State.Running) {
      this.client = undefined;
      this.setState('stopped');
      void this.reportStartFailure(launch, error ?? client.initializeError ?? new Error('the server stopped while starting'));
    }
  }

  private async installWith(python: string): Promise<void> {
    this.setState('installing');
    try {
      await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: 'Code Gym: installing the language server (Python packages from PyPI)…' },
        () => this.managed.install(python),
      );
    } catch (error) {
      this.output.appendLine(`Installing the server failed: ${String(error)}`);
      this.setState('noServer');
      void this.reportInstallFailure(error);
      return;
    }
    this.output.appendLine(`Installed the server in ${this.managed.environment}.`);
    await this.launch();
  }

  private async offerInstall(python: string): Promise<void> {
    const choice = await vscode.window.showInformationMessage(
      `Code Gym needs its language server. Install it into a private environment made with ${python}? ` +
        'It takes a minute and downloads its Python packages from PyPI.',
      'Install Server',
      'Open Settings',
    );
    if (choice === 'Install Server') {
      await this.install();
    } else if (choice === 'Open Settings') {
      await openServerSettings();
    }
  }

  private async reportMissing(reason: 'no-python' | 'no-wheel'): Promise<void> {
    const choice = await vscode.window.showErrorMessage(missingServerMessage(reason), 'Retry', 'Open Settings');
    if (choice === 'Retry') {
      await this.restart();
    } else if (choice === 'Open Settings') {
      await openServerSettings();
    }
  }

  private async reportInstallFailure(error: unknown): Promise<void> {
    const message = error instanceof Error ? error.message : String(error);
    const choice = await vscode.window.showErrorMessage(
      `Code Gym: installing the language server failed: ${message}`,
      'Show Output',
      'Retry',
      'Open Settings',
    );
    if (choice === 'Show Output') {
      this.output.show();
    } else if (choice === 'Retry') {
      await this.install();
    } else if (choice === 'Open Settings') {
      await openServerSettings();
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
      // The extension's own welcome view offers to create the exercises: not the server too.
      initializationOptions: () => ({ ...toServerSettings(codegymSection()), offer_exercises: false }),
      // Reported by launch(), with what to do; without this, the client shows the raw error.
      initializationFailedHandler: (error) => {
        if (this.client !== undefined) {
          this.client.initializeError = error;
        }
        return false;
      },
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
    this.setState('stopped');
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
      await openServerSettings();
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

function openServerSettings(): Thenable<unknown> {
  return vscode.commands.executeCommand('workbench.action.openSettings', 'codegym.server');
}

function isExecutableFile(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}
