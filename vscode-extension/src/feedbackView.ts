/**
 * The feedback webview's HTML: the page (strict CSP, one nonce'd style and script, no resources)
 * and the answer fragment the host posts into it. Pure.
 */

import type { FeedbackAnswer, FeedbackState } from './feedback';
import { escapeHtml, renderMarkdown } from './markdown';
import type { FeedbackSource } from './protocol';

/** Messages from the host to the webview. */
export interface RenderMessage {
  type: 'render';
  html: string;
  /** While streaming, the view follows the end of the text if the reader is there. */
  streaming: boolean;
}

/** Messages from the webview to the host. */
export type WebviewMessage = { type: 'ready' } | { type: 'open-file' };

/** By feature; a feature this client does not know yet is shown by its name. */
const FEATURES: Readonly<Record<string, string>> = {
  hint: 'Hint',
  explain: 'Explanation',
  review: 'Review',
  tests: 'Generated tests',
  concept: 'Concept',
};

const SOURCES: Readonly<Record<FeedbackSource, string>> = {
  llm: 'from the model',
  cache: 'from the cache',
  authored: 'written by the exercise author',
  rules: 'from the built-in rules',
};

const STATUSES: Readonly<Record<Exclude<FeedbackAnswer['status'], 'ok'>, string>> = {
  streaming: 'writing…',
  offline: 'offline',
  unavailable: 'tutor unavailable',
  cancelled: 'cancelled',
  error: 'failed',
};

/** The answer to show; with none, `document` (a URI) names the file there is no answer about yet. */
export function renderMessage(state: FeedbackState, document?: string): RenderMessage {
  const answer = state.answer;
  return {
    type: 'render',
    html: answer === null ? emptyHtml(document) : answerHtml(answer),
    streaming: answer?.status === 'streaming',
  };
}

function emptyHtml(document: string | undefined): string {
  const name = document === undefined ? '' : decodeURIComponent(document.split('/').at(-1) ?? '');
  const about = name === '' ? '' : ` about ${escapeHtml(name)}`;
  return (
    `<p class="empty">No feedback${about} yet. Ask for a hint, a review or an explanation with the ` +
    'buttons in an exercise\'s editor title, or from the Command Palette ("Code Gym: Hint").</p>'
  );
}

function answerHtml(answer: FeedbackAnswer): string {
  const meta = [FEATURES[answer.feature] ?? answer.feature, answer.exercise, statusText(answer)]
    .filter((part) => part !== '')
    .map(escapeHtml)
    .join(' · ');
  const open = answer.file === null ? '' : ' · <a href="#" data-action="open-file">Open as Markdown</a>';
  // The server may open the text with the same note ("Tutor unavailable: …"): shown once.
  const note =
    answer.note === null || answer.text.toLowerCase().includes(answer.note.toLowerCase())
      ? ''
      : `<div class="note" role="status">${escapeHtml(answer.note)}</div>`;
  const body =
    answer.text === '' && answer.status === 'streaming'
      ? '<p class="waiting">Thinking…</p>'
      : renderMarkdown(answer.text);
  return (
    `<header><h1>${escapeHtml(answer.title)}</h1><p class="meta">${meta}${open}</p></header>` +
    `${note}<article class="answer" aria-busy="${String(answer.status === 'streaming')}">${body}</article>`
  );
}

function statusText(answer: FeedbackAnswer): string {
  const status = answer.status === 'ok' ? '' : STATUSES[answer.status];
  const source = answer.source === null ? '' : SOURCES[answer.source];
  return [status, source].filter((part) => part !== '').join(', ');
}

/** The whole page. Everything it runs or styles carries the nonce; nothing is fetched. */
export function feedbackPage(nonce: string): string {
  const csp = `default-src 'none'; style-src 'nonce-${nonce}'; script-src 'nonce-${nonce}'; base-uri 'none'; form-action 'none'`;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Code Gym Feedback</title>
<style nonce="${nonce}">${STYLE}</style>
</head>
<body>
<main id="root"></main>
<script nonce="${nonce}">${SCRIPT}</script>
</body>
</html>`;
}

const STYLE = `
body { font-family: var(--vscode-font-family); font-size: var(--vscode-font-size); color: var(--vscode-foreground); background: var(--vscode-editor-background); padding: 0 20px 20px; line-height: 1.5; overflow-wrap: anywhere; }
header h1 { font-size: 1.4em; margin: 16px 0 2px; }
.meta { color: var(--vscode-descriptionForeground); margin: 0 0 12px; }
a { color: var(--vscode-textLink-foreground); }
a:hover { color: var(--vscode-textLink-activeForeground); }
.note { border-left: 4px solid var(--vscode-editorWarning-foreground); background: var(--vscode-textBlockQuote-background); padding: 6px 10px; margin: 0 0 12px; }
.empty, .waiting { color: var(--vscode-descriptionForeground); font-style: italic; }
code { font-family: var(--vscode-editor-font-family); font-size: var(--vscode-editor-font-size); }
:not(pre) > code { background: var(--vscode-textCodeBlock-background); padding: 1px 4px; border-radius: 3px; }
pre { background: var(--vscode-textCodeBlock-background); padding: 8px 12px; white-space: pre-wrap; border-radius: 4px; }
blockquote { border-left: 4px solid var(--vscode-textBlockQuote-border); background: var(--vscode-textBlockQuote-background); margin: 0; padding: 2px 12px; }
table { border-collapse: collapse; }
th, td { border: 1px solid var(--vscode-panel-border); padding: 2px 8px; }
.hljs-keyword, .hljs-meta { color: var(--vscode-symbolIcon-keywordForeground, #569cd6); }
.hljs-string, .hljs-regexp { color: var(--vscode-debugTokenExpression-string, #ce9178); }
.hljs-number, .hljs-literal { color: var(--vscode-debugTokenExpression-number, #b5cea8); }
.hljs-comment { color: var(--vscode-descriptionForeground); font-style: italic; }
.hljs-title, .hljs-title.function_ { color: var(--vscode-symbolIcon-functionForeground, #dcdcaa); }
.hljs-built_in, .hljs-title.class_ { color: var(--vscode-symbolIcon-classForeground, #4ec9b0); }
.hljs-params, .hljs-variable { color: var(--vscode-symbolIcon-variableForeground, #9cdcfe); }
`;

const SCRIPT = `
(() => {
  const vscode = acquireVsCodeApi();
  const root = document.getElementById('root');
  window.addEventListener('message', (event) => {
    const message = event.data;
    if (!message || message.type !== 'render' || typeof message.html !== 'string') return;
    const following = window.innerHeight + window.scrollY >= document.body.scrollHeight - 24;
    root.innerHTML = message.html;
    if (message.streaming && following) window.scrollTo(0, document.body.scrollHeight);
  });
  document.addEventListener('click', (event) => {
    const target = event.target instanceof Element ? event.target.closest('[data-action]') : null;
    if (target) {
      event.preventDefault();
      vscode.postMessage({ type: target.getAttribute('data-action') });
    }
  });
  vscode.postMessage({ type: 'ready' });
})();
`;
