/**
 * Markdown from the tutor (an LLM) → HTML safe to put in the feedback webview. Pure.
 *
 * Two layers: markdown-it with raw HTML disabled (every `<` in the answer is escaped; links pass
 * only with http, https or mailto; images become their alt text), then an allowlist over the
 * generated HTML (known tags, known attributes with checked values; anything else is escaped or
 * dropped). The webview's CSP is the third layer.
 */

import hljs from 'highlight.js/lib/core';
import javascript from 'highlight.js/lib/languages/javascript';
import python from 'highlight.js/lib/languages/python';
import MarkdownIt from 'markdown-it';

hljs.registerLanguage('python', python);
hljs.registerLanguage('javascript', javascript);

const SAFE_LINK = /^(?:https?:|mailto:)/i;

const markdown = new MarkdownIt({
  html: false,
  linkify: false,
  typographer: false,
  highlight: (code, language) =>
    language !== '' && hljs.getLanguage(language) !== undefined
      ? hljs.highlight(code, { language, ignoreIllegals: true }).value
      : '', // markdown-it escapes it
});
markdown.validateLink = (url) => SAFE_LINK.test(url.trim());
markdown.renderer.rules.image = (tokens, index) =>
  markdown.utils.escapeHtml(`[${tokens[index]?.content ?? ''}]`);

export function renderMarkdown(text: string): string {
  return sanitizeHtml(markdown.render(text));
}

export function escapeHtml(text: string): string {
  return markdown.utils.escapeHtml(text);
}

type AttributeCheck = (value: string) => boolean;

const ALLOWED: Readonly<Record<string, Readonly<Record<string, AttributeCheck>>>> = {
  a: { href: (value) => SAFE_LINK.test(decodeEntities(value).trim()) },
  blockquote: {},
  br: {},
  code: { class: (value) => /^language-[\w+#.-]+$/.test(value) },
  del: {},
  em: {},
  h1: {},
  h2: {},
  h3: {},
  h4: {},
  h5: {},
  h6: {},
  hr: {},
  li: {},
  ol: { start: (value) => /^\d+$/.test(value) },
  p: {},
  pre: {},
  s: {},
  span: { class: (value) => /^hljs-[\w-]+(?: [\w-]+)*$/.test(value) },
  strong: {},
  table: {},
  tbody: {},
  td: {},
  th: {},
  thead: {},
  tr: {},
  ul: {},
};

/** A tag with double-quoted attributes, as markdown-it and highlight.js write them. */
const TAG = /<(\/?)([a-zA-Z][a-zA-Z0-9]*)((?:\s+[a-zA-Z][a-zA-Z-]*(?:="[^"<>]*")?)*)\s*\/?>|</g;
const ATTRIBUTE = /([a-zA-Z][a-zA-Z-]*)(?:="([^"]*)")?/g;

/**
 * Keeps allowlisted tags and attributes; escapes any other `<` (an unknown tag, or markup that
 * does not have the strict shape above), so it shows as text and never becomes an element.
 */
export function sanitizeHtml(html: string): string {
  return html.replace(TAG, (whole, closing: string | undefined, name: string | undefined, attributes: string | undefined) => {
    if (name === undefined) {
      return '&lt;';
    }
    const tag = name.toLowerCase();
    const allowed = ALLOWED[tag];
    if (allowed === undefined) {
      return escapeHtml(whole);
    }
    if (closing) {
      return `</${tag}>`;
    }
    let kept = '';
    for (const [, attribute = '', value = ''] of (attributes ?? '').matchAll(ATTRIBUTE)) {
      const check = allowed[attribute.toLowerCase()];
      if (check?.(value)) {
        kept += ` ${attribute.toLowerCase()}="${value}"`;
      }
    }
    return `<${tag}${kept}>`;
  });
}

function decodeEntities(value: string): string {
  return value.replace(/&(#x[0-9a-f]+|#\d+|amp|lt|gt|quot|apos);/gi, (_, entity: string) => {
    const lower = entity.toLowerCase();
    if (lower.startsWith('#')) {
      const code = lower.startsWith('#x') ? parseInt(lower.slice(2), 16) : parseInt(lower.slice(1), 10);
      return code <= 0x10ffff ? String.fromCodePoint(code) : '';
    }
    return { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" }[lower] ?? '';
  });
}
