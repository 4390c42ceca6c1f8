/**
 * Activation: wires the server, the exercises view, the statement and progress views, the status
 * bar, the feedback panel, the header folding and the commands. The server starts on its own only in a trusted Code Gym workspace (`workspaceGate.ts`);
 * anywhere else, on a Code Gym command.
 */

import * as fs from 'node:fs';

import * as vscode from 'vscode';
import { CancellationToken, ResponseError } from 'vscode-languageclient/node';

import { catalogNodes, exerciseFiles, hasExerciseFiles } from './catalog';
import { CatalogTree } from './catalogTree';
import { ClientCommand, registerCommands } from './commands';
import { FEEDBACK_VIEW_TYPE, FeedbackPanel } from './feedbackPanel';
import { HeaderFolder } from './headerFold';
import { withCodicons } from './lensTitles';
import { ManagedServer } from './managedServer';
import { PROGRESS_VIEW, ProgressView } from './progressPanel';
import {
  CATALOG_REQUEST,
  CONTENT_CHANGED_NOTIFICATION,
  FEEDBACK_NOTIFICATION,
  PROGRESS_CHANGED_NOTIFICATION,
  type Catalog,
} from './protocol';
import { GymServer, type ServerState } from './server';
import { STATEMENT_VIEW, StatementView } from './statementPanel';
import { GymStatusBar } from './statusBar';
import { isGymWorkspace } from './workspaceGate';

const VIEW = 'codegym.exercises';
/** Catalog requests are coalesced: a burst of created files or progress changes asks once. */
const REFRESH_DELAY_MS = 150;
const EXERCISE_LANGUAGES = new Set(['python', 'javascript']);

let server: GymServer | undefined;

export function activate(context: vscode.ExtensionContext): void {
  const output = vscode.window.createOutputChannel('Code Gym');
  const tree = new CatalogTree();
  const statusBar = new GymStatusBar(`${VIEW}.focus`, ClientCommand.restartServer);
  const panel = new FeedbackPanel(context.workspaceState);
  const managed = new ManagedServer(context.globalStorageUri.fsPath, context.extensionPath, (line) => {
    output.appendLine(line);
  });

  const log = (line: string): void => {
    output.appendLine(line);
  };
  const client = () => gym.ready();
  const statement = new StatementView(client, log);
  const progress = new ProgressView(context.extensionUri, client, log);
  const followActiveEditor = (): void => {
    void statement.follow(vscode.window.activeTextEditor?.document);
  };

  let refreshTimer: ReturnType<typeof setTimeout> | undefined;
  const refreshCatalog = (): void => {
    clearTimeout(refreshTimer);
    refreshTimer = setTimeout(() => void loadCatalog(), REFRESH_DELAY_MS);
  };

  const gym = new GymServer(output, managed, {
    attach: (client) => {
      client.onNotification(PROGRESS_CHANGED_NOTIFICATION, () => {
        refreshCatalog();
        void progress.refresh();
      });
      client.onNotification(CONTENT_CHANGED_NOTIFICATION, followActiveEditor);
      client.onNotification(FEEDBACK_NOTIFICATION, (params: unknown) => {
        panel.receive(params);
      });
    },
    middleware: {
      window: {
        // The server also asks to show the answer's Markdown file; the panel already shows it.
        showDocument: async (params, next) => {
          if (panel.showsFile(params.uri)) {
            return { success: true };
          }
          const shown = await next(params, CancellationToken.None);
          return shown instanceof ResponseError ? { success: false } : shown;
        },
      },
      provideCodeLenses: async (document, token, next) => {
        const lenses = await next(document, token);
        for (const lens of lenses ?? []) {
          if (lens.command !== undefined) {
            lens.command.title = withCodicons(lens.command.title);
          }
        }
        return lenses;
      },
    },
  });
  server = gym;

  // The statement header folds the first time an exercise shows, once the server serves its range.
  const headers = new HeaderFolder(
    (command, args) => vscode.commands.executeCommand(command, args),
    () => vscode.window.activeTextEditor,
  );
  const foldHeader = (): void => {
    if (gym.state === 'running') {
      void Promise.resolve(headers.foldActive()).catch(() => undefined);
    }
  };

  const treeView = vscode.window.createTreeView(VIEW, { treeDataProvider: tree, showCollapseAll: true });

  /** Selects the active editor's exercise in the tree, while the tree is visible. */
  const revealActive = (): void => {
    const uri = vscode.window.activeTextEditor?.document.uri.toString();
    const node = uri === undefined ? undefined : tree.exerciseOf(uri);
    if (node !== undefined && treeView.visible) {
      void Promise.resolve(treeView.reveal(node, { select: true, focus: false })).catch(() => undefined);
    }
  };

  async function loadCatalog(): Promise<void> {
    const client = await gym.ready();
    if (client === undefined) {
      return;
    }
    try {
      const catalog = await client.sendRequest<Catalog>(CATALOG_REQUEST, {});
      const empty = !hasExerciseFiles(catalog);
      await setContext('codegym.workspaceEmpty', empty);
      // For the editor title buttons and the palette: `resourcePath in codegym.exerciseFiles`.
      await setContext(
        'codegym.exerciseFiles',
        exerciseFiles(catalog).map((file) => vscode.Uri.parse(file).fsPath),
      );
      tree.show(empty ? [] : catalogNodes(catalog, ClientCommand.openExercise));
      statusBar.progress(catalog);
      revealActive();
    } catch (error) {
      output.appendLine(`${CATALOG_REQUEST} failed: ${String(error)}`);
    }
  }

  const onState = (state: ServerState): void => {
    void setContext('codegym.server', state);
    if (state === 'running') {
      refreshCatalog();
      followActiveEditor();
      void progress.refresh();
      foldHeader();
    } else if (state === 'starting' || state === 'installing') {
      statusBar.starting(state === 'installing' ? 'Installing the Code Gym server' : 'Starting the Code Gym server');
    } else if (state === 'idle') {
      statusBar.hide();
    } else {
      tree.show([]);
      void setContext('codegym.exerciseFiles', []);
      statusBar.stopped();
    }
  };

  /** Starts the server where it belongs: a trusted Code Gym workspace, or an exercise opened. */
  const startIfGym = (): void => {
    if (gym.state !== 'idle' || !vscode.workspace.isTrusted) {
      return;
    }
    const facts = {
      folders: (vscode.workspace.workspaceFolders ?? []).map((folder) => folder.uri.fsPath),
      documents: vscode.workspace.textDocuments
        .filter((document) => document.uri.scheme === 'file' && EXERCISE_LANGUAGES.has(document.languageId))
        .map((document) => document.getText()),
    };
    if (isGymWorkspace(facts, isDirectory)) {
      void gym.start();
    }
  };

  // Exercise files created or deleted (by `codegym.init`, the server's own offer, or by hand).
  const files = vscode.workspace.createFileSystemWatcher('**/*.{py,js}', false, true, false);
  context.subscriptions.push(
    tree,
    statusBar,
    panel,
    gym,
    files,
    files.onDidCreate(refreshCatalog),
    files.onDidDelete(refreshCatalog),
    treeView,
    treeView.onDidChangeVisibility(revealActive),
    vscode.window.onDidChangeActiveTextEditor((editor) => {
      revealActive();
      foldHeader();
      if (editor !== undefined) {
        panel.follow(editor.document.uri.toString());
        void statement.follow(editor.document);
      }
    }),
    vscode.window.registerWebviewViewProvider(STATEMENT_VIEW, statement),
    vscode.window.registerWebviewViewProvider(PROGRESS_VIEW, progress),
    progress,
    vscode.languages.onDidChangeDiagnostics(() => {
      progress.diagnosticsChanged();
    }),
    vscode.workspace.onDidOpenTextDocument(startIfGym),
    vscode.workspace.onDidGrantWorkspaceTrust(startIfGym),
    vscode.window.registerWebviewPanelSerializer(FEEDBACK_VIEW_TYPE, {
      deserializeWebviewPanel: (restored) => {
        panel.restore(restored);
        return Promise.resolve();
      },
    }),
    gym.onDidChangeState(onState),
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (gym.state === 'idle') {
        return;
      }
      if (event.affectsConfiguration('codegym.server')) {
        void gym.restart();
      } else if (event.affectsConfiguration('codegym')) {
        gym.configurationChanged();
      }
    }),
    {
      dispose: () => {
        clearTimeout(refreshTimer);
      },
    },
    ...registerCommands({ server: gym, panel, refreshCatalog }),
    output, // last: the server's shutdown still writes to it
  );
  onState('idle');
  startIfGym();
}

export function deactivate(): Promise<void> | undefined {
  return server?.stop();
}

function setContext(key: string, value: unknown): Thenable<unknown> {
  return vscode.commands.executeCommand('setContext', key, value);
}

function isDirectory(file: string): boolean {
  try {
    return fs.statSync(file).isDirectory();
  } catch {
    return false;
  }
}
