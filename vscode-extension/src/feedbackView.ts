/**
 * The feedback webview's HTML: the page (strict CSP, one nonce'd style and script, no resources)
 * and the answer fragment the host posts into it. Pure.
 */

import type { FeedbackAnswer, FeedbackState } from './feedback';
import { escapeHtml, renderMarkdown } from './markdown';
import type { FeedbackSource } from './protocol';
import { RENDER_SCRIPT, webviewPage } from './webviewPage';

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
  return webviewPage({ nonce, title: 'Code Gym Feedback', style: STYLE, script: { inline: RENDER_SCRIPT } });
}

const STYLE = `
body { background: var(--vscode-editor-background); padding: 0 20px 20px; }
header h1 { font-size: 1.4em; margin: 16px 0 2px; }
`;
