/**
 * A new element with an optional class and text (set as `textContent`, so it is never markup).
 *
 * @example
 * ```ts
 * const name = create('span', 'tool-name', call.name); // <span class="tool-name">…</span>
 * ```
 */
export function create<TTag extends keyof HTMLElementTagNameMap>(
  tag: TTag,
  className?: string,
  text?: string,
): HTMLElementTagNameMap[TTag] {
  const created = document.createElement(tag);
  if (className) created.className = className;
  if (text !== undefined) created.textContent = text;
  return created;
}
