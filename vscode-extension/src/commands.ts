/**
 * The extension's commands (palette, editor title, tree): each maps to one server command through
 * `workspace/executeCommand`, with the exercise document's URI where the server needs it.
 */

import * as vscode from 'vscode';

import type { FeedbackPanel } from './feedbackPanel';
import { ServerCommand, TEST_DIAGNOSTIC_SOURCE } from './protocol';
import type { GymServer } from './server';
import { exerciseIdOf } from './workspaceGate';

/** Command ids of this extension (the server's own `codegym.*` ids are registered by the client library). */
export const ClientCommand = {
  runTests: 'codegym.client.runTests',
  hint: 'codegym.client.hint',
  review: 'codegym.client.review',
  explainFailure: 'codegym.client.explainFailure',
  generateTests: 'codegym.client.generateTests',
  resetExercise: 'codegym.client.resetExercise',
  nextExercise: 'codegym.client.nextExercise',
  init: 'codegym.client.init',
  openExercise: 'codegym.client.openExercise',
  refresh: 'codegym.client.refresh',
  restartServer: 'codegym.client.restartServer',
  installServer: 'codegym.client.installServer',
  showOutput: 'codegym.client.showOutput',
  openFeedback: 'codegym.client.openFeedback',
  showStatement: 'codegym.client.showStatement',
  showProgress: 'codegym.client.showProgress',
} as const;

const NOT_AN_EXERCISE =
  'Code Gym: this file is not an exercise (its header has no "codegym: exercise <id>" line).';

export interface CommandContext {
  server: GymServer;
  panel: FeedbackPanel;
  /** Asks the server for the catalog again (files may have been created). */
  refreshCatalog: () => void;
}

export function registerCommands({ server, panel, refreshCatalog }: CommandContext): vscode.Disposable[] {
  /** A command on an exercise document: the editor title passes its URI; the palette does not. */
  const onDocument = (run: (uri: vscode.Uri) => Promise<void>) => async (resource?: unknown) => {
    const uri = resource instanceof vscode.Uri ? resource : vscode.window.activeTextEditor?.document.uri;
    if (uri === undefined) {
      void vscode.window.showInformationMessage('Code Gym: open an exercise file first.');
      return;
    }
    await run(uri);
  };
  const tutor = (command: ServerCommand) =>
    onDocument(async (uri) => {
      await server.executeCommand(command, [uri.toString()]);
    });
  const expectExercise = (command: ServerCommand) =>
    onDocument(async (uri) => {
      if ((await server.executeCommand(command, [uri.toString()])) === false) {
        void vscode.window.showInformationMessage(NOT_AN_EXERCISE);
      }
    });
  const thenRefresh = (command: ServerCommand) => async (...args: unknown[]) => {
    await server.executeCommand(command, args);
    refreshCatalog();
  };

  const handlers: Record<(typeof ClientCommand)[keyof typeof ClientCommand], (...args: unknown[]) => unknown> = {
    [ClientCommand.runTests]: expectExercise(ServerCommand.runTests),
    [ClientCommand.resetExercise]: expectExercise(ServerCommand.resetExercise),
    [ClientCommand.hint]: tutor(ServerCommand.hint),
    [ClientCommand.review]: tutor(ServerCommand.review),
    [ClientCommand.generateTests]: tutor(ServerCommand.generateTests),
    [ClientCommand.explainFailure]: onDocument(async (uri) => {
      // Always both arguments: the server's handler takes (uri, test_id), test_id null for the first failure.
      await server.executeCommand(ServerCommand.explainFailure, [uri.toString(), failingTestAtCursor(uri) ?? null]);
    }),
    [ClientCommand.nextExercise]: thenRefresh(ServerCommand.nextExercise),
    [ClientCommand.init]: thenRefresh(ServerCommand.init),
    [ClientCommand.openExercise]: thenRefresh(ServerCommand.openExercise),
    [ClientCommand.refresh]: refreshCatalog,
    [ClientCommand.restartServer]: () => server.restart(),
    [ClientCommand.installServer]: () => server.install(),
    [ClientCommand.showOutput]: () => {
      server.showOutput();
    },
    [ClientCommand.openFeedback]: () => {
      // The answer about the document in the editor, if it is one; else the last one shown.
      const document = vscode.window.activeTextEditor?.document;
      const exercise = document !== undefined && exerciseIdOf(document.getText()) !== undefined;
      panel.show(false, exercise ? document.uri.toString() : undefined);
    },
    // The views' own focus commands (VS Code makes one per view): the side bar opens on them.
    [ClientCommand.showStatement]: () => vscode.commands.executeCommand('codegym.statement.focus'),
    [ClientCommand.showProgress]: () => vscode.commands.executeCommand('codegym.progress.focus'),
  };
  return Object.entries(handlers).map(([id, handler]) => vscode.commands.registerCommand(id, handler));
}

/** The test id (diagnostic code) of a failing-test diagnostic on the cursor's line, if any. */
function failingTestAtCursor(uri: vscode.Uri): string | undefined {
  const editor = vscode.window.activeTextEditor;
  if (editor === undefined || editor.document.uri.toString() !== uri.toString()) {
    return undefined;
  }
  const line = editor.selection.active.line;
  const diagnostic = vscode.languages
    .getDiagnostics(uri)
    .find((d) => d.source === TEST_DIAGNOSTIC_SOURCE && d.range.start.line <= line && line <= d.range.end.line);
  const code = typeof diagnostic?.code === 'object' ? diagnostic.code.value : diagnostic?.code;
  return code === undefined ? undefined : String(code);
}
