/**
 * The pages of Code Gym's webviews (the feedback panel, the statement and progress views): a strict
 * CSP where everything the page runs or styles carries the nonce and nothing is fetched from the
 * network; VS Code's theme through its CSS variables; Markdown styled as the editor shows it. Pure.
 */

export interface PageParts {
  nonce: string;
  title: string;
  /** Rules for this page, after the shared ones. */
  style: string;
  /** The page's script: inline, or a file of the extension (a webview URI) with the nonce. */
  script: { inline: string } | { src: string };
}

export function webviewPage({ nonce, title, style, script }: PageParts): string {
  const csp = `default-src 'none'; style-src 'nonce-${nonce}'; script-src 'nonce-${nonce}'; base-uri 'none'; form-action 'none'`;
  const tag = 'inline' in script ? `<script nonce="${nonce}">${script.inline}</script>` : `<script nonce="${nonce}" src="${script.src}"></script>`;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
<style nonce="${nonce}">${SHARED_STYLE}${style}</style>
</head>
<body>
<main id="root"></main>
${tag}
</body>
</html>`;
}

const SHARED_STYLE = `
body { font-family: var(--vscode-font-family); font-size: var(--vscode-font-size); color: var(--vscode-foreground); line-height: 1.5; overflow-wrap: anywhere; }
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

/**
 * Shows the HTML the host posts (`{type: 'render', html, streaming}`; the host sanitized it),
 * following the end of a streaming text when the reader is there; sends `{type: <data-action>}`
 * for a click on an element with `data-action`, and `{type: 'ready'}` once loaded.
 */
export const RENDER_SCRIPT = `
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
