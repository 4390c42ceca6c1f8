/**
 * The Statement view (in the Code Gym side bar, beside the code, as JetBrains Academy's task
 * panel): the statement of the exercise in the active editor, asked from the server
 * (`codegym/statement`). Another file keeps the last statement; before any exercise, the view
 * says to open one. It asks again when the server (re)starts or its content is reloaded.
 */

import { randomBytes } from 'node:crypto';

import type * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';

import { STATEMENT_REQUEST, type Statement } from './protocol';
import { statementMessage, statementPage } from './statementView';

export const STATEMENT_VIEW = 'codegym.statement';

export class StatementView implements vscode.WebviewViewProvider {
  private view: vscode.WebviewView | undefined;
  private shown: Statement | null = null;
  /** Answers to an older question are dropped: the learner moved on. */
  private asked = 0;

  constructor(
    private readonly client: () => Promise<LanguageClient | undefined>,
    private readonly log: (line: string) => void,
  ) {}

  resolveWebviewView(view: vscode.WebviewView): void {
    view.webview.options = { enableScripts: true, localResourceRoots: [] };
    view.webview.html = statementPage(randomBytes(18).toString('base64'));
    view.webview.onDidReceiveMessage((message: unknown) => {
      if ((message as { type?: unknown } | null)?.type === 'ready') {
        this.post();
      }
    });
    view.onDidDispose(() => {
      if (this.view === view) {
        this.view = undefined;
      }
    });
    this.view = view;
  }

  /**
   * The active editor changed, or the server or its content did: the statement of the active
   * editor's exercise; else the one shown, asked again (the content may have changed).
   */
  async follow(document: vscode.TextDocument | undefined): Promise<void> {
    const asked = ++this.asked;
    const client = await this.client();
    if (client === undefined) {
      return;
    }
    const questions = [
      document?.uri.scheme === 'file' ? { uri: document.uri.toString() } : undefined,
      this.shown === null ? undefined : { id: this.shown.id },
    ];
    for (const params of questions) {
      if (params === undefined) {
        continue;
      }
      let found: Statement | null;
      try {
        found = await client.sendRequest<Statement | null>(STATEMENT_REQUEST, params);
      } catch (error) {
        this.log(`${STATEMENT_REQUEST} failed: ${String(error)}`);
        return;
      }
      if (asked !== this.asked) {
        return;
      }
      if (found !== null && typeof found.markdown === 'string') {
        this.shown = found;
        this.post();
        return;
      }
    }
  }

  private post(): void {
    void this.view?.webview.postMessage(statementMessage(this.shown));
  }
}
