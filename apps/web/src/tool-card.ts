import { create } from './dom.js';
import { canDecide, oneLine, type ToolCallView, toolInputText } from './tool-calls.js';

/** What a card asks of the page: send a decision on its call (`reason` only with a denial, when one was typed). */
export interface ToolCardActions {
  decide(call: ToolCallView, approved: boolean, reason: string | undefined): void;
}

/** Characters of a one-line preview; a longer input or output gets a `<details>` with all of it. */
const PREVIEW_CHARS = 96;

/**
 * A duration as the card shows it: `12 ms` under a second, `1.35 s` above.
 *
 * @example
 * ```ts
 * formatToolDuration(1350); // '1.35 s'
 * ```
 */
export function formatToolDuration(milliseconds: number): string {
  return milliseconds < 1000 ? `${Math.round(milliseconds)} ms` : `${(milliseconds / 1000).toFixed(2)} s`;
}

/**
 * The state line of a card, in words.
 *
 * @example
 * ```ts
 * toolStatusText({ ...call, status: 'awaiting-approval', approval: { phase: 'asked' } }); // 'needs your approval'
 * ```
 */
export function toolStatusText(call: ToolCallView): string {
  const approval = call.approval;
  switch (call.status) {
    case 'preparing':
      return 'preparing…';
    case 'running':
      return approval?.approved ? 'approved · running…' : 'running…';
    case 'awaiting-approval':
      if (approval?.phase === 'sending') return approval.approved ? 'approving…' : 'denying…';
      if (approval?.phase === 'sent') return approval.approved ? 'approved · running…' : 'denying…';
      return 'needs your approval';
    case 'done':
      return approval?.approved ? 'approved · done' : 'done';
    case 'failed':
      return 'failed';
    case 'denied':
      return approval?.phase === 'sent' && approval.approved === false ? 'denied by you' : 'denied';
    case 'unfinished':
      return 'not finished';
  }
}

/** The parts of a card that change; the rest is built once. */
interface CardParts {
  state: HTMLElement;
  duration: HTMLElement;
  input: HTMLElement;
  approval: HTMLElement;
  approve: HTMLButtonElement;
  deny: HTMLButtonElement;
  reason: HTMLInputElement;
  problem: HTMLElement;
  output: HTMLElement;
  error: HTMLElement;
}

const parts = new WeakMap<HTMLElement, CardParts>();
/** The text each input/output block shows now, so a block is rebuilt only when its text changed. */
const shownText = new WeakMap<HTMLElement, string>();

/** JSON on one line (as the model would write it), any other text as it is. */
function compactText(text: string): string {
  try {
    return JSON.stringify(JSON.parse(text));
  } catch {
    return text;
  }
}

/**
 * Fills `slot` with `label` and `text`: on one line when that shows all of it, else a `<details>` whose summary is
 * a one-line preview and whose body is all of it. Text only (`textContent`): a tool's input and output are never
 * markup.
 */
function fillBlock(slot: HTMLElement, label: string, text: string): void {
  if (shownText.get(slot) === text) return;
  shownText.set(slot, text);
  const wasOpen = slot.querySelector('details')?.open ?? false;
  const compact = compactText(text);
  const fits = !compact.includes('\n') && Array.from(compact).length <= PREVIEW_CHARS;
  const head = [create('span', 'tool-label', label), create('code', 'tool-preview', oneLine(compact, PREVIEW_CHARS))];
  slot.hidden = false;
  if (fits) {
    const line = create('div', 'tool-io');
    line.append(...head);
    slot.replaceChildren(line);
    return;
  }
  const details = create('details', 'tool-io');
  const summary = create('summary');
  summary.append(...head);
  details.append(summary, create('pre', 'tool-text', text));
  details.open = wasOpen;
  slot.replaceChildren(details);
}

function approvalBlock(call: ToolCallView, actions: ToolCardActions) {
  const approval = create('div', 'tool-approval');
  approval.setAttribute('role', 'group');
  approval.setAttribute('aria-label', `Decide on ${call.name}`);
  const approve = create('button', 'primary tool-approve', 'Approve');
  const deny = create('button', 'danger tool-deny', 'Deny');
  approve.type = 'button';
  deny.type = 'button';
  const reason = create('input', 'tool-reason');
  reason.type = 'text';
  reason.maxLength = 500;
  reason.placeholder = 'Reason (optional)';
  reason.setAttribute('aria-label', `Reason for denying ${call.name} (optional)`);
  const problem = create('p', 'tool-problem');
  problem.setAttribute('role', 'alert');
  problem.hidden = true;
  approve.addEventListener('click', () => actions.decide(call, true, undefined));
  deny.addEventListener('click', () => actions.decide(call, false, reason.value.trim() || undefined));
  reason.addEventListener('keydown', (event) => {
    if (event.key === 'Enter') {
      event.preventDefault();
      deny.click();
    } else if (event.key === 'Escape') {
      // Esc here clears the reason; it must not reach the page's Esc, which stops the whole reply.
      event.stopPropagation();
      reason.value = '';
    }
  });
  // The reason goes with Deny: on a narrow screen the two wrap together, under Approve.
  const denial = create('div', 'tool-denial');
  denial.append(reason, deny);
  const buttons = create('div', 'tool-decision');
  buttons.append(approve, denial);
  approval.append(buttons, problem);
  return { approval, approve, deny, reason, problem };
}

/**
 * A card for one tool call: its name, state and duration on one line, the input (one line; all of it in a
 * `<details>`), Approve / Deny with an optional reason while the call waits for a decision, then the output or the
 * error. Built with `textContent` only, so a tool's input and output stay text; no inline style (the page's CSP).
 *
 * @example
 * ```ts
 * const card = createToolCard(call, { decide: (call, approved, reason) => send(call.id, approved, reason) });
 * content.append(card);
 * call.status = 'done';
 * updateToolCard(card, call);
 * ```
 */
export function createToolCard(call: ToolCallView, actions: ToolCardActions): HTMLElement {
  const card = create('div', 'tool-card');
  card.setAttribute('role', 'group');
  card.setAttribute('aria-label', `Tool call: ${call.name}`);
  // The buttons turn off once a decision is sent: focus goes to the card rather than to nowhere.
  card.tabIndex = -1;
  const decideHere: ToolCardActions = {
    decide(decided, approved, reason) {
      actions.decide(decided, approved, reason);
      card.focus({ preventScroll: true });
    },
  };
  const head = create('div', 'tool-head');
  const icon = create('span', 'tool-icon');
  icon.setAttribute('aria-hidden', 'true');
  const name = create('span', 'tool-name', call.name);
  const state = create('span', 'tool-state');
  const duration = create('span', 'tool-duration');
  head.append(icon, name, state, duration);
  const input = create('div', 'tool-slot tool-input');
  const output = create('div', 'tool-slot tool-output');
  output.hidden = true;
  const error = create('div', 'tool-error');
  error.hidden = true;
  const decision = approvalBlock(call, decideHere);
  card.append(head, input, decision.approval, output, error);
  parts.set(card, { state, duration, input, output, error, ...decision });
  updateToolCard(card, call);
  return card;
}

/** `kind: message`; a denial is its message alone (the state line already says denied). */
function showError(slot: HTMLElement, error: ToolCallView['error']): void {
  slot.hidden = !error || (error.kind === 'denied' && error.message === '');
  if (!error || slot.hidden) return;
  if (error.kind === 'denied') {
    slot.replaceChildren(error.message);
    return;
  }
  slot.replaceChildren(create('strong', undefined, error.kind), document.createTextNode(`: ${error.message}`));
}

/**
 * Brings a card made by {@link createToolCard} up to date with its call; an open `<details>` stays open and a reason
 * being typed stays, since only what changed is replaced.
 *
 * @example
 * ```ts
 * updateToolCard(card, { ...call, status: 'done', output: '42', durationMs: 3 });
 * ```
 */
export function updateToolCard(card: HTMLElement, call: ToolCallView): void {
  const found = parts.get(card);
  if (!found) return;
  card.dataset.status = call.status;
  card.querySelector('.tool-name')!.textContent = call.name;
  found.state.textContent = toolStatusText(call);
  found.duration.textContent = call.durationMs === undefined ? '' : formatToolDuration(call.durationMs);
  fillBlock(found.input, 'input', toolInputText(call.arguments));
  found.approval.hidden = call.status !== 'awaiting-approval';
  const open = canDecide(call);
  found.approve.disabled = !open;
  found.deny.disabled = !open;
  found.reason.disabled = !open;
  found.problem.hidden = !call.approval?.problem;
  found.problem.textContent = call.approval?.problem ?? '';
  if (call.output !== undefined) {
    const more = call.outputChars ? `\n… (${call.outputChars - call.output.length} more characters not shown)` : '';
    fillBlock(found.output, 'result', `${call.output}${more}`);
  }
  showError(found.error, call.error);
}
