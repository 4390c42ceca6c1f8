/**
 * The statement header folded the first time an exercise shows in an editor, once per document in
 * a session: the server serves the header as a folding range (`textDocument/foldingRange`, from
 * the `codegym: exercise` line, where the lenses are, to its closing rule), and LSP has no
 * "collapsed by default". The learner unfolds it with the arrow in the gutter (or Ctrl+Shift+]);
 * it stays as they leave it.
 */

import type * as vscode from 'vscode';

import { headerMarker } from './workspaceGate';

/** `editor.fold` on the active editor, as `vscode.commands.executeCommand` runs it. */
export type RunFold = (command: 'editor.fold', args: { selectionLines: number[]; levels: number }) => Thenable<unknown>;

export class HeaderFolder {
  private readonly folded = new Set<string>();

  constructor(
    private readonly run: RunFold,
    private readonly activeEditor: () => vscode.TextEditor | undefined,
  ) {}

  /** Folds the header of the active editor's exercise unless it was folded before in this session. */
  async foldActive(): Promise<boolean> {
    const editor = this.activeEditor();
    if (editor === undefined || editor.document.uri.scheme !== 'file') {
      return false;
    }
    const uri = editor.document.uri.toString();
    const marker = this.folded.has(uri) ? undefined : headerMarker(editor.document.getText());
    if (marker === undefined) {
      return false;
    }
    this.folded.add(uri);
    // The header's fold starts at the marker line.
    await this.run('editor.fold', { selectionLines: [marker.line], levels: 1 });
    return true;
  }
}
