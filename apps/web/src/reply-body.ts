import { create } from './dom.js';
import { renderMarkdown } from './markdown.js';
import type { ToolCallView } from './tool-calls.js';
import { createToolCard, type ToolCardActions, updateToolCard } from './tool-card.js';

/** A reply's content: its text as Markdown, with a card for each tool call where the call happened. */
export interface ReplyBody {
  /** Renders `text` around the cards; only a part whose text changed is rendered again. */
  render(text: string): void;
  /** Adds the call's card (after everything shown so far) or brings it up to date. */
  showCall(call: ToolCallView): void;
}

interface Segment {
  element: HTMLDivElement;
  /** The text it shows now; `undefined` before its first render. */
  text?: string;
}

function newSegment(): Segment {
  const element = create('div', 'segment');
  element.hidden = true;
  return { element };
}

/**
 * Manages `content` as text segments and tool cards in reply order: the text before the first call, its card, the
 * text after it (a later step's answer), and so on. Each call's `at` (the text length when it came) says where its
 * text segment ends. Segments are safe Markdown (`renderMarkdown`); cards are built once and updated in place, so
 * an open `<details>`, a focused button or a reason being typed survive the re-renders of a streaming reply.
 *
 * @example
 * ```ts
 * const body = createReplyBody(contentElement, { decide: sendDecision });
 * body.showCall(call); // a card after what is shown
 * body.render(replyText); // the text before and after it
 * ```
 */
export function createReplyBody(content: HTMLElement, actions: ToolCardActions): ReplyBody {
  const segments: Segment[] = [newSegment()];
  const calls: ToolCallView[] = [];
  const cards = new Map<ToolCallView, HTMLElement>();
  content.replaceChildren(segments[0]!.element);
  return {
    render(text) {
      segments.forEach((segment, index) => {
        const start = index === 0 ? 0 : Math.min(calls[index - 1]!.at, text.length);
        const end = index < calls.length ? Math.min(calls[index]!.at, text.length) : text.length;
        const slice = text.slice(start, Math.max(start, end));
        if (segment.text === slice) return;
        segment.text = slice;
        segment.element.innerHTML = renderMarkdown(slice);
        segment.element.hidden = slice.trim() === '';
      });
    },
    showCall(call) {
      const card = cards.get(call);
      if (card) {
        updateToolCard(card, call);
        return;
      }
      const created = createToolCard(call, actions);
      const after = newSegment();
      cards.set(call, created);
      calls.push(call);
      segments.push(after);
      content.append(created, after.element);
    },
  };
}
