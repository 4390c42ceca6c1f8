import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { renderMarkdown, sanitizeHtml } from '../src/markdown';

/**
 * What must never come out of the renderer, whatever the model wrote. Text shows `<` as `&lt;`,
 * so every `<` left in the output opens a real element.
 */
function assertInert(html: string): void {
  assert.doesNotMatch(html, /<script/i, 'a script element');
  assert.doesNotMatch(html, /<(?:iframe|img|object|embed|svg|math|style|link|meta|form|input|base)\b/i, 'an active element');
  for (const [tag] of html.matchAll(/<[^>]*>/g)) {
    assert.doesNotMatch(tag, /\son[a-z]+\s*=/i, `an event handler attribute: ${tag}`);
    assert.doesNotMatch(tag, /\shref\s*=\s*"(?!https?:|mailto:)/i, `a link that is not http, https or mailto: ${tag}`);
    assert.doesNotMatch(tag, /\s(?:src|srcset|style|action|formaction|xlink:href)\s*=/i, `a resource or style attribute: ${tag}`);
    assert.match(tag, /^<\/?[a-z0-9]+(?: (?:href|class|start)="[^"<>]*")*>$/, `an unexpected element shape: ${tag}`);
  }
}

const HOSTILE = [
  '<script>alert(1)</script>',
  '<SCRIPT SRC=https://evil.example/x.js></SCRIPT>',
  '<img src=x onerror=alert(1)>',
  '<img src="https://evil.example/pixel.png">',
  '<iframe src="https://evil.example"></iframe>',
  '<a href="javascript:alert(1)">click</a>',
  '[click](javascript:alert(1))',
  '[click](JaVaScRiPt:alert(1))',
  '[click](&#106;avascript:alert(1))',
  '[click](java\tscript:alert(1))',
  '[click](vbscript:msgbox(1))',
  '[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)',
  '[click](file:///etc/passwd)',
  '<javascript:alert(1)>',
  '![tracker](https://evil.example/pixel.png)',
  '![x](data:image/png;base64,iVBORw0KGgo=)',
  '<svg onload=alert(1)>',
  '<div style="background:url(https://evil.example)">x</div>',
  '```"><script>alert(1)</script>\ncode\n```',
  '```python onmouseover="alert(1)"\nx = 1\n```',
  '<details open ontoggle=alert(1)>',
  '<a href="https://ok.example" onclick="alert(1)">x</a>',
  '<<script>script>alert(1)<</script>/script>',
];

describe('Markdown from the tutor', () => {
  for (const input of HOSTILE) {
    it(`renders ${JSON.stringify(input)} inert`, () => {
      assertInert(renderMarkdown(input));
    });
  }

  it('shows raw HTML as text instead of dropping it', () => {
    assert.equal(renderMarkdown('<script>alert(1)</script>'), '<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>\n');
  });

  it('keeps ordinary Markdown', () => {
    const html = renderMarkdown(
      '# Hint\n\nCheck **each** number with `n % 2`, see [the docs](https://docs.python.org/3/).\n\n' +
        '- one\n- two\n\n> quoted\n\n| a | b |\n|---|---|\n| 1 | 2 |\n',
    );
    assert.match(html, /<h1>Hint<\/h1>/);
    assert.match(html, /<strong>each<\/strong>/);
    assert.match(html, /<code>n % 2<\/code>/);
    assert.match(html, /<a href="https:\/\/docs\.python\.org\/3\/">the docs<\/a>/);
    assert.match(html, /<ul>\s*<li>one<\/li>/);
    assert.match(html, /<blockquote>/);
    assert.match(html, /<table>[\s\S]*<td>1<\/td>/);
  });

  it('shows an image as its alt text', () => {
    assert.equal(renderMarkdown('![a diagram](https://example.com/d.png)'), '<p>[a diagram]</p>\n');
  });

  it('highlights Python and JavaScript code blocks', () => {
    const python = renderMarkdown('```python\ndef f(x):\n    return "s" # c\n```');
    assert.match(python, /<pre><code class="language-python"><span class="hljs-keyword">def<\/span>/);
    assert.match(python, /<span class="hljs-string">&quot;s&quot;<\/span>/);
    assert.match(python, /<span class="hljs-comment"># c<\/span>/);
    const js = renderMarkdown('```js\nconst x = 1 < 2;\n```');
    assert.match(js, /<span class="hljs-keyword">const<\/span> x = <span class="hljs-number">1<\/span> &lt; <span class="hljs-number">2<\/span>;/);
    assertInert(renderMarkdown('```python\n<script>alert(1)</script>\n```'));
    assert.match(renderMarkdown('```\n<b>plain</b>\n```'), /<pre><code>&lt;b&gt;plain&lt;\/b&gt;/);
  });

  it('sanitises HTML on its own: unknown tags escaped, unknown attributes dropped', () => {
    assert.equal(
      sanitizeHtml('<p onclick="x()">a<iframe src="https://e"></iframe><a href="javascript:x" title="t">b</a></p>'),
      '<p>a&lt;iframe src=&quot;https://e&quot;&gt;&lt;/iframe&gt;<a>b</a></p>',
    );
    assert.equal(sanitizeHtml('<a href="&#x6A;avascript:x">b</a><a href="mailto:me@example.com">m</a>'), '<a>b</a><a href="mailto:me@example.com">m</a>');
    assert.equal(sanitizeHtml('<img src=x onerror=alert(1)> 1 < 2'), '&lt;img src=x onerror=alert(1)> 1 &lt; 2');
    assert.equal(sanitizeHtml('<span class="hljs-title function_">f</span><code class="x y">c</code>'), '<span class="hljs-title function_">f</span><code>c</code>');
  });
});
