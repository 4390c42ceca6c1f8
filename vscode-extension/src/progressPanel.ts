/**
 * The Progress view (in the Code Gym side bar): solved per topic and the learner's errors over
 * time as charts (Chart.js, bundled into dist/webview/progress.js), and the errors that keep
 * coming back as sentences, from the server's `codegym/stats`. Asked again when the view becomes
 * visible, when the server says the progress changed, and after a run (its diagnostics). A server without that request gets a
 * message in the view, not an error.
 */

import { randomBytes } from 'node:crypto';

import * as vscode from 'vscode';
import { ErrorCodes, ResponseError, type LanguageClient } from 'vscode-languageclient/node';

import { NO_STATS, NOT_RUNNING, parseStats, progressModel, type ProgressMessage } from './progressChart';
import { STATS_REQUEST } from './protocol';
import { webviewPage } from './webviewPage';

export const PROGRESS_VIEW = 'codegym.progress';
/** Runs publish diagnostics: the view asks again once they settle (a run is an attempt). */
const SETTLE_MS = 500;
const SCRIPT = ['dist', 'webview', 'progress.js'];

export class ProgressView implements vscode.WebviewViewProvider, vscode.Disposable {
  private view: vscode.WebviewView | undefined;
  private asked = 0;
  private settling: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly client: () => Promise<LanguageClient | undefined>,
    private readonly log: (line: string) => void,
  ) {}

  resolveWebviewView(view: vscode.WebviewView): void {
    const scripts = vscode.Uri.joinPath(this.extensionUri, ...SCRIPT.slice(0, -1));
    view.webview.options = { enableScripts: true, localResourceRoots: [scripts] };
    const src = view.webview.asWebviewUri(vscode.Uri.joinPath(this.extensionUri, ...SCRIPT)).toString();
    view.webview.html = webviewPage({ nonce: randomBytes(18).toString('base64'), title: 'Code Gym Progress', style: STYLE, script: { src } });
    view.webview.onDidReceiveMessage((message: unknown) => {
      if ((message as { type?: unknown } | null)?.type === 'ready') {
        void this.refresh();
      }
    });
    view.onDidChangeVisibility(() => {
      if (view.visible) {
        void this.refresh();
      }
    });
    view.onDidDispose(() => {
      if (this.view === view) {
        this.view = undefined;
      }
    });
    this.view = view;
  }

  /** Diagnostics changed (a run finished): asks again once they settle. */
  diagnosticsChanged(): void {
    clearTimeout(this.settling);
    this.settling = setTimeout(() => void this.refresh(), SETTLE_MS);
  }

  dispose(): void {
    clearTimeout(this.settling);
  }

  /** Asks the server for the statistics and shows them, if the view is there to show them. */
  async refresh(): Promise<void> {
    if (this.view?.visible !== true) {
      return;
    }
    const asked = ++this.asked;
    const message = await this.ask();
    if (asked === this.asked) {
      void this.view.webview.postMessage(message);
    }
  }

  private async ask(): Promise<ProgressMessage> {
    const client = await this.client();
    if (client === undefined) {
      return { type: 'message', text: NOT_RUNNING };
    }
    try {
      const stats = parseStats(await client.sendRequest<unknown>(STATS_REQUEST, {}));
      return stats === undefined ? { type: 'message', text: NO_STATS } : { type: 'progress', model: progressModel(stats) };
    } catch (error) {
      if (error instanceof ResponseError && error.code === ErrorCodes.MethodNotFound) {
        return { type: 'message', text: NO_STATS };
      }
      this.log(`${STATS_REQUEST} failed: ${String(error)}`);
      return { type: 'message', text: `Code Gym could not read your progress: ${error instanceof Error ? error.message : String(error)}` };
    }
  }
}

const STYLE = `
body { padding: 0 12px 12px; }
h2 { font-size: 1.05em; margin: 16px 0 4px; }
ul { margin: 0; padding-left: 18px; }
.chart { position: relative; width: 100%; margin: 8px 0; }
`;
