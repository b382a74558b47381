import MarkdownIt from 'markdown-it';

// `html: false` escapes raw HTML in model output; markdown-it's own link validation drops `javascript:`, `vbscript:`,
// `file:` and non-image `data:` URLs. Images are off: a model (or a prompt injection) could otherwise make the
// browser fetch an attacker's URL carrying conversation data; they render as plain links instead.
const markdown = new MarkdownIt({ html: false, linkify: true, typographer: false, breaks: false }).disable('image');

const defaultLinkOpen =
  markdown.renderer.rules.link_open ??
  ((tokens, index, options, _environment, self) => self.renderToken(tokens, index, options));

markdown.renderer.rules.link_open = (tokens, index, options, environment, self) => {
  const token = tokens[index]!;
  token.attrSet('target', '_blank');
  token.attrSet('rel', 'noopener noreferrer nofollow');
  return defaultLinkOpen(tokens, index, options, environment, self);
};

// Table alignment comes out as a `style` attribute, which the page's CSP refuses; a class keeps the alignment.
markdown.core.ruler.push('alignment_classes', (state) => {
  for (const token of state.tokens) {
    const style = token.attrGet('style');
    if (!style) continue;
    const alignment = /text-align:\s*(left|right|center)/.exec(style)?.[1];
    token.attrs = (token.attrs ?? []).filter(([name]) => name !== 'style');
    if (alignment) token.attrJoin('class', `align-${alignment}`);
  }
  return true;
});

/**
 * Renders model output (complete or still streaming) as safe HTML: raw HTML is escaped, dangerous link schemes are
 * not linked, images become links, links open in a new tab without an opener. Pure: no DOM needed.
 *
 * @example
 * ```ts
 * renderMarkdown('**bold** <img src=x onerror=alert(1)>');
 * // '<p><strong>bold</strong> &lt;img src=x onerror=alert(1)&gt;</p>\n'
 * ```
 */
export function renderMarkdown(text: string): string {
  return markdown.render(text);
}
