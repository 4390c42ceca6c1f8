/** The Statement view's HTML (statementView.ts). */

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import type { Statement } from '../src/protocol';
import { NO_EXERCISE, statementMessage, statementPage } from '../src/statementView';

const STATEMENT: Statement = {
  id: 'py-sum-evens',
  title: 'Sum of evens',
  language: 'python',
  difficulty: 'easy',
  concepts: ['py-functions'],
  markdown: '# Sum of evens\n\n**easy** · Python › Basics\n\nWrite `sum_evens(numbers)`.\n\n```python\nsum_evens([1, 2]) == 2\n```\n\n<img src=x onerror=alert(1)>\n',
};

describe('the statement view', () => {
  it('renders the statement as Markdown, highlighted and sanitized', () => {
    const { type, html, streaming } = statementMessage(STATEMENT);
    assert.equal(type, 'render');
    assert.equal(streaming, false);
    assert.match(html, /^<article class="statement" data-exercise="py-sum-evens"><h1>Sum of evens<\/h1>/);
    assert.match(html, /<p><strong>easy<\/strong> · Python › Basics<\/p>/);
    assert.match(html, /<code>sum_evens\(numbers\)<\/code>/);
    assert.match(html, /<span class="hljs-/);
    assert.doesNotMatch(html, /<img/);
  });

  it('asks for an exercise before there is one', () => {
    assert.equal(statementMessage(null).html, `<p class="empty">${NO_EXERCISE}</p>`);
  });

  it('serves a page with a strict CSP and nothing fetched', () => {
    const page = statementPage('n0nce');
    const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(page)?.[1];
    assert.equal(csp, "default-src 'none'; style-src 'nonce-n0nce'; script-src 'nonce-n0nce'; base-uri 'none'; form-action 'none'");
    assert.deepEqual(page.match(/<script[^>]*>/g), ['<script nonce="n0nce">']);
    assert.doesNotMatch(page, /\b(?:src|href)=/);
  });
});
