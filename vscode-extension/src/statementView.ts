/**
 * The Statement view's HTML: the page and the statement the host posts into it, rendered from the
 * server's Markdown (`codegym/statement`) by `markdown.ts`. Pure.
 */

import type { RenderMessage } from './feedbackView';
import { renderMarkdown } from './markdown';
import type { Statement } from './protocol';
import { RENDER_SCRIPT, webviewPage } from './webviewPage';

export const NO_EXERCISE = 'Open an exercise file to see its statement here.';

/** The statement to show; null before any exercise was opened. */
export function statementMessage(statement: Statement | null): RenderMessage {
  const html =
    statement === null
      ? `<p class="empty">${NO_EXERCISE}</p>`
      : `<article class="statement" data-exercise="${statement.id.replace(/[^\w-]/g, '')}">${renderMarkdown(statement.markdown)}</article>`;
  return { type: 'render', html, streaming: false };
}

export function statementPage(nonce: string): string {
  return webviewPage({ nonce, title: 'Code Gym Statement', style: STYLE, script: { inline: RENDER_SCRIPT } });
}

const STYLE = `
body { padding: 0 12px 12px; }
.statement h1 { font-size: 1.3em; margin: 12px 0 4px; }
.statement h1 + p { color: var(--vscode-descriptionForeground); margin-top: 0; }
.statement h2 { font-size: 1.1em; }
`;
