/** Activation: wires the server, the exercises view, the status bar, the feedback panel and the commands. */

import * as vscode from 'vscode';
import { CancellationToken, ResponseError } from 'vscode-languageclient/node';

import { catalogNodes, hasExerciseFiles } from './catalog';
import { CatalogTree } from './catalogTree';
import { ClientCommand, registerCommands } from './commands';
import { FeedbackPanel } from './feedbackPanel';
import { CATALOG_REQUEST, FEEDBACK_NOTIFICATION, PROGRESS_CHANGED_NOTIFICATION, type Catalog } from './protocol';
import { GymServer, type ServerState } from './server';
import { GymStatusBar } from './statusBar';

const VIEW = 'codegym.exercises';
/** Catalog requests are coalesced: a burst of created files or progress changes asks once. */
const REFRESH_DELAY_MS = 150;

let server: GymServer | undefined;

export function activate(context: vscode.ExtensionContext): void {
  const output = vscode.window.createOutputChannel('Code Gym');
  const tree = new CatalogTree();
  const statusBar = new GymStatusBar(`${VIEW}.focus`, ClientCommand.restartServer);
  const panel = new FeedbackPanel();

  let refreshTimer: ReturnType<typeof setTimeout> | undefined;
  const refreshCatalog = (): void => {
    clearTimeout(refreshTimer);
    refreshTimer = setTimeout(() => void loadCatalog(), REFRESH_DELAY_MS);
  };

  const gym = new GymServer(output, {
    attach: (client) => {
      client.onNotification(PROGRESS_CHANGED_NOTIFICATION, refreshCatalog);
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
    },
  });
  server = gym;

  async function loadCatalog(): Promise<void> {
    const client = await gym.ready();
    if (client === undefined) {
      return;
    }
    try {
      const catalog = await client.sendRequest<Catalog>(CATALOG_REQUEST, {});
      const empty = !hasExerciseFiles(catalog);
      await setContext('codegym.workspaceEmpty', empty);
      tree.show(empty ? [] : catalogNodes(catalog, ClientCommand.openExercise));
      statusBar.progress(catalog);
    } catch (error) {
      output.appendLine(`${CATALOG_REQUEST} failed: ${String(error)}`);
    }
  }

  const onState = (state: ServerState): void => {
    void setContext('codegym.server', state);
    if (state === 'running') {
      refreshCatalog();
    } else if (state === 'starting') {
      statusBar.starting();
    } else {
      tree.show([]);
      statusBar.stopped();
    }
  };

  // Exercise files created or deleted (by `codegym.init`, the server's own offer, or by hand).
  const files = vscode.workspace.createFileSystemWatcher('**/*.{py,js}', false, true, false);
  context.subscriptions.push(
    output,
    tree,
    statusBar,
    panel,
    gym,
    files,
    files.onDidCreate(refreshCatalog),
    files.onDidDelete(refreshCatalog),
    vscode.window.createTreeView(VIEW, { treeDataProvider: tree, showCollapseAll: true }),
    gym.onDidChangeState(onState),
    vscode.workspace.onDidChangeConfiguration((event) => {
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
  );
  onState('starting');
  void gym.start();
}

export function deactivate(): Promise<void> | undefined {
  return server?.stop();
}

function setContext(key: string, value: unknown): Thenable<unknown> {
  return vscode.commands.executeCommand('setContext', key, value);
}
