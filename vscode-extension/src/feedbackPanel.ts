/**
 * The feedback panel: a webview beside the editor that shows the tutor's current answer as it
 * streams. The host folds notifications (`feedback.ts`) and renders HTML (`feedbackView.ts`);
 * the webview only receives that HTML.
 */

import { randomBytes } from 'node:crypto';

import * as vscode from 'vscode';

import { EMPTY_FEEDBACK, parseFeedback, reduceFeedback, type FeedbackState } from './feedback';
import { feedbackPage, renderMessage, type WebviewMessage } from './feedbackView';

/** Streaming chunks are coalesced into one render per interval. */
const RENDER_INTERVAL_MS = 40;

export class FeedbackPanel implements vscode.Disposable {
  private state: FeedbackState = EMPTY_FEEDBACK;
  private panel: vscode.WebviewPanel | undefined;
  private renderTimer: ReturnType<typeof setTimeout> | undefined;

  /** A `codegym/feedback` notification. A new answer brings the panel up, keeping the focus. */
  receive(params: unknown): void {
    const message = parseFeedback(params);
    if (message === undefined) {
      return;
    }
    this.state = reduceFeedback(this.state, message);
    if (message.kind === 'begin') {
      this.show(true);
    }
    this.scheduleRender();
  }

  /** True when the panel is open on the answer the server wrote to `uri`. */
  showsFile(uri: string): boolean {
    return this.panel !== undefined && this.state.answer?.file === uri;
  }

  show(preserveFocus: boolean): void {
    if (this.panel !== undefined) {
      this.panel.reveal(undefined, preserveFocus);
      return;
    }
    const panel = vscode.window.createWebviewPanel(
      'codegym.feedback',
      'Code Gym Feedback',
      { viewColumn: vscode.ViewColumn.Beside, preserveFocus },
      { enableScripts: true, enableFindWidget: true, localResourceRoots: [] },
    );
    panel.webview.html = feedbackPage(randomBytes(18).toString('base64'));
    panel.webview.onDidReceiveMessage((message: unknown) => {
      this.onMessage(message);
    });
    panel.onDidDispose(() => {
      this.panel = undefined;
    });
    this.panel = panel;
  }

  private onMessage(message: unknown): void {
    const type = (message as Partial<WebviewMessage> | null)?.type;
    if (type === 'ready') {
      this.post(); // the page (re)loaded: it starts empty
    } else if (type === 'open-file' && this.state.answer?.file) {
      void vscode.window.showTextDocument(vscode.Uri.parse(this.state.answer.file), {
        viewColumn: vscode.ViewColumn.Beside,
      });
    }
  }

  private scheduleRender(): void {
    if (this.panel === undefined || this.renderTimer !== undefined) {
      return;
    }
    this.renderTimer = setTimeout(() => {
      this.renderTimer = undefined;
      this.post();
    }, RENDER_INTERVAL_MS);
  }

  private post(): void {
    void this.panel?.webview.postMessage(renderMessage(this.state));
  }

  dispose(): void {
    clearTimeout(this.renderTimer);
    this.panel?.dispose();
  }
}
