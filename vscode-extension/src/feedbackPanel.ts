/**
 * The feedback panel: a webview beside the editor that shows the tutor's answer about one
 * exercise document as it streams. The host folds notifications (`feedback.ts`) and renders HTML
 * (`feedbackView.ts`); the webview only receives that HTML. The last answer of each document is
 * kept in the workspace state, so the panel comes back with the window and "Open Feedback Panel"
 * shows the answer about the document it was asked from.
 */

import { randomBytes } from 'node:crypto';

import * as vscode from 'vscode';

import {
  EMPTY_FEEDBACK,
  parseFeedback,
  reduceFeedback,
  restoreAnswers,
  savedAnswers,
  type FeedbackAnswer,
  type FeedbackState,
} from './feedback';
import { feedbackPage, renderMessage, type WebviewMessage } from './feedbackView';

export const FEEDBACK_VIEW_TYPE = 'codegym.feedback';
const STORAGE_KEY = 'codegym.feedback';
/** Streaming chunks are coalesced into one render per interval. */
const RENDER_INTERVAL_MS = 40;

export class FeedbackPanel implements vscode.Disposable {
  private stream: FeedbackState = EMPTY_FEEDBACK;
  /** The latest answer about each document, by its URI. */
  private readonly answers: Map<string, FeedbackAnswer>;
  /** The document whose answer the panel shows. */
  private shown: string | undefined;
  private panel: vscode.WebviewPanel | undefined;
  private renderTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly storage: vscode.Memento) {
    const saved = restoreAnswers(storage.get<unknown>(STORAGE_KEY));
    this.answers = new Map(saved.answers.map((answer) => [answer.uri, answer]));
    this.shown = saved.shown ?? undefined;
  }

  /** A `codegym/feedback` notification. A new answer brings the panel up, keeping the focus. */
  receive(params: unknown): void {
    const message = parseFeedback(params);
    if (message === undefined) {
      return;
    }
    this.stream = reduceFeedback(this.stream, message);
    const answer = this.stream.answer;
    if (answer === null) {
      return;
    }
    this.answers.set(answer.uri, answer);
    if (message.kind === 'begin') {
      this.shown = answer.uri;
      this.show(true);
    } else if (message.kind === 'end') {
      this.save();
    }
    if (this.shown === answer.uri) {
      this.scheduleRender();
    }
  }

  /** True when the panel is open on the answer the server wrote to `uri`. */
  showsFile(uri: string): boolean {
    return this.panel !== undefined && this.current()?.file === uri;
  }

  /** Opens the panel on the answer about `document` (by default, the one shown last). */
  show(preserveFocus: boolean, document?: string): void {
    if (document !== undefined && document !== this.shown) {
      this.shown = document;
      this.save();
      this.post();
    }
    if (this.panel !== undefined) {
      this.panel.reveal(undefined, preserveFocus);
      return;
    }
    this.adopt(
      vscode.window.createWebviewPanel(
        FEEDBACK_VIEW_TYPE,
        'Code Gym Feedback',
        { viewColumn: vscode.ViewColumn.Beside, preserveFocus },
        { enableScripts: true, enableFindWidget: true, localResourceRoots: [] },
      ),
    );
  }

  /** The active editor changed: an open panel follows it to another document it has an answer about. */
  follow(document: string): void {
    if (this.panel !== undefined && document !== this.shown && this.answers.has(document)) {
      this.shown = document;
      this.save();
      this.post();
    }
  }

  /** Restores the panel VS Code kept from the last session (a webview panel serializer). */
  restore(panel: vscode.WebviewPanel): void {
    if (this.panel === undefined) {
      this.adopt(panel);
    } else {
      panel.dispose();
    }
  }

  private adopt(panel: vscode.WebviewPanel): void {
    panel.webview.options = { enableScripts: true, localResourceRoots: [] };
    panel.webview.html = feedbackPage(randomBytes(18).toString('base64'));
    panel.webview.onDidReceiveMessage((message: unknown) => {
      this.onMessage(message);
    });
    panel.onDidDispose(() => {
      if (this.panel === panel) {
        this.panel = undefined;
      }
    });
    this.panel = panel;
  }

  private current(): FeedbackAnswer | undefined {
    return this.shown === undefined ? undefined : this.answers.get(this.shown);
  }

  private onMessage(message: unknown): void {
    const type = (message as Partial<WebviewMessage> | null)?.type;
    const file = this.current()?.file;
    if (type === 'ready') {
      this.post(); // the page (re)loaded: it starts empty
    } else if (type === 'open-file' && file) {
      void vscode.window.showTextDocument(vscode.Uri.parse(file), { viewColumn: vscode.ViewColumn.Beside });
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
    void this.panel?.webview.postMessage(renderMessage({ answer: this.current() ?? null }, this.shown));
  }

  private save(): void {
    void this.storage.update(STORAGE_KEY, savedAnswers([...this.answers.values()], this.shown ?? null));
  }

  /** The panel itself is left open: VS Code restores it with the window (`restore`). */
  dispose(): void {
    clearTimeout(this.renderTimer);
  }
}
