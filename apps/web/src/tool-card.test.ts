// @vitest-environment happy-dom
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createReplyBody } from './reply-body.js';
import { applyToolEvent, type ToolCallView, type ToolTimeline } from './tool-calls.js';
import { createToolCard, formatToolDuration, toolStatusText, updateToolCard } from './tool-card.js';

const hostile = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>';

function waitingCall(): ToolCallView {
  return {
    step: 1,
    index: 0,
    id: 'call_1',
    name: 'calculator',
    arguments: '{"expression":"6 * 7"}',
    at: 0,
    status: 'awaiting-approval',
    approval: { phase: 'asked' },
  };
}

function mount(call: ToolCallView) {
  const decide = vi.fn();
  const card = createToolCard(call, { decide });
  document.body.append(card);
  const button = (name: string) =>
    [...card.querySelectorAll('button')].find((found) => found.textContent === name) as HTMLButtonElement;
  return { card, decide, approve: button('Approve'), deny: button('Deny') };
}

afterEach(() => {
  document.body.replaceChildren();
  delete (globalThis as { __pwned?: unknown }).__pwned;
});

describe('createToolCard', () => {
  it('shows the tool name, the state and the input on one line, and Approve / Deny while it waits', () => {
    const { card, approve, deny } = mount(waitingCall());
    expect(card.dataset.status).toBe('awaiting-approval');
    expect(card.getAttribute('role')).toBe('group');
    expect(card.querySelector('.tool-name')?.textContent).toBe('calculator');
    expect(card.querySelector('.tool-state')?.textContent).toBe('needs your approval');
    expect(card.querySelector('.tool-input .tool-preview')?.textContent).toBe('{"expression":"6 * 7"}');
    expect(card.querySelector('.tool-input details')).toBeNull();
    expect(approve.disabled).toBe(false);
    expect(deny.disabled).toBe(false);
    expect(card.querySelector<HTMLInputElement>('.tool-reason')?.getAttribute('aria-label')).toBe(
      'Reason for denying calculator (optional)',
    );
  });

  it('sends Approve, and Deny with the typed reason (Enter in the reason field denies)', () => {
    const { card, decide, approve, deny } = mount(waitingCall());
    approve.click();
    expect(decide).toHaveBeenLastCalledWith(expect.objectContaining({ id: 'call_1' }), true, undefined);
    deny.click();
    expect(decide).toHaveBeenLastCalledWith(expect.objectContaining({ id: 'call_1' }), false, undefined);
    const reason = card.querySelector<HTMLInputElement>('.tool-reason')!;
    reason.value = '  not that one  ';
    reason.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true }));
    expect(decide).toHaveBeenLastCalledWith(expect.objectContaining({ id: 'call_1' }), false, 'not that one');
    expect(decide).toHaveBeenCalledTimes(3);
    expect(document.activeElement).toBe(card);
  });

  it('keeps Esc in the reason field from reaching the page (where Esc stops the reply)', () => {
    const { card } = mount(waitingCall());
    const pageEsc = vi.fn();
    document.addEventListener('keydown', pageEsc);
    const reason = card.querySelector<HTMLInputElement>('.tool-reason')!;
    reason.value = 'typo';
    reason.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true }));
    document.removeEventListener('keydown', pageEsc);
    expect(pageEsc).not.toHaveBeenCalled();
    expect(reason.value).toBe('');
  });

  it('turns the buttons off while a decision is on its way and after a refusal, and shows the refusal', () => {
    const call = waitingCall();
    const { card, approve, deny } = mount(call);
    call.approval = { phase: 'sending', approved: true };
    updateToolCard(card, call);
    expect([approve.disabled, deny.disabled]).toEqual([true, true]);
    expect(card.querySelector('.tool-state')?.textContent).toBe('approving…');
    call.approval = { phase: 'refused', approved: true, problem: 'invalid-request: that call is not waiting' };
    updateToolCard(card, call);
    expect([approve.disabled, deny.disabled]).toEqual([true, true]);
    const problem = card.querySelector<HTMLElement>('.tool-problem')!;
    expect(problem.hidden).toBe(false);
    expect(problem.getAttribute('role')).toBe('alert');
    expect(problem.textContent).toBe('invalid-request: that call is not waiting');
  });

  it('shows a result with its duration and hides the buttons; a denial shows as denied with its reason', () => {
    const call = waitingCall();
    const { card } = mount(call);
    Object.assign(call, { status: 'done', output: '42', durationMs: 3, approval: { phase: 'sent', approved: true } });
    updateToolCard(card, call);
    expect(card.dataset.status).toBe('done');
    expect(card.querySelector<HTMLElement>('.tool-approval')!.hidden).toBe(true);
    expect(card.querySelector('.tool-output')?.textContent).toBe('result42');
    expect(card.querySelector('.tool-duration')?.textContent).toBe('3 ms');
    expect(card.querySelector('.tool-state')?.textContent).toBe('approved · done');

    const denied = mount({
      ...waitingCall(),
      status: 'denied',
      error: { kind: 'denied', message: 'the person said no' },
      approval: { phase: 'sent', approved: false },
      durationMs: 0,
    });
    expect(denied.card.dataset.status).toBe('denied');
    expect(denied.card.querySelector('.tool-state')?.textContent).toBe('denied by you');
    expect(denied.card.querySelector('.tool-error')?.textContent).toBe('the person said no');
  });

  it('keeps hostile input, output and error text as text', () => {
    const { card } = mount({
      ...waitingCall(),
      name: '<b>evil</b>',
      arguments: JSON.stringify({ html: hostile }),
      status: 'failed',
      output: hostile,
      error: { kind: 'execution', message: hostile },
    });
    expect(card.querySelectorAll('img, script, b, [onerror]')).toHaveLength(0);
    expect(card.querySelector('.tool-name')?.textContent).toBe('<b>evil</b>');
    expect(card.querySelector('.tool-output')?.textContent).toContain(hostile);
    expect(card.querySelector('.tool-error')?.textContent).toBe(`execution: ${hostile}`);
    expect(card.querySelector('.tool-input')?.textContent).toContain('<script>window.__pwned=2</script>');
    expect((globalThis as { __pwned?: unknown }).__pwned).toBeUndefined();
  });

  it('collapses a long output into a details element that stays open across updates, and says what was cut', () => {
    const call: ToolCallView = { ...waitingCall(), status: 'running', output: 'line\n'.repeat(50) };
    const { card } = mount(call);
    const details = card.querySelector<HTMLDetailsElement>('.tool-output details')!;
    expect(details.open).toBe(false);
    expect(card.querySelector('.tool-output .tool-text')?.textContent).toBe('line\n'.repeat(50));
    details.open = true;
    Object.assign(call, { status: 'done', output: 'x'.repeat(200), outputChars: 1200, durationMs: 1500 });
    updateToolCard(card, call);
    const updated = card.querySelector<HTMLDetailsElement>('.tool-output details')!;
    expect(updated.open).toBe(true);
    expect(updated.querySelector('.tool-text')?.textContent).toBe(
      `${'x'.repeat(200)}\n… (1000 more characters not shown)`,
    );
    expect(updated.querySelector('.tool-preview')?.textContent).toMatch(/^x+…$/);
    expect(card.querySelector('.tool-duration')?.textContent).toBe('1.50 s');
  });
});

describe('the state words and durations', () => {
  it('says where a call stands', () => {
    const call = waitingCall();
    expect(toolStatusText({ ...call, status: 'preparing' })).toBe('preparing…');
    expect(toolStatusText({ ...call, status: 'running', approval: { phase: 'sent', approved: true } })).toBe(
      'approved · running…',
    );
    expect(toolStatusText({ ...call, approval: { phase: 'sent', approved: false } })).toBe('denying…');
    expect(toolStatusText({ ...call, status: 'denied', approval: undefined })).toBe('denied');
    expect(toolStatusText({ ...call, status: 'unfinished' })).toBe('not finished');
    expect(formatToolDuration(12.4)).toBe('12 ms');
  });
});

describe('createReplyBody', () => {
  it('puts each card where its call happened, with the text of the next step after it, as Markdown', () => {
    const content = document.createElement('div');
    const body = createReplyBody(content, { decide: () => undefined });
    const timeline: ToolTimeline = { step: 1, calls: [] };
    let text = 'Let me **compute**.';
    const call = applyToolEvent(
      timeline,
      {
        type: 'tool-call-ready',
        step: 1,
        index: 0,
        id: 'c1',
        name: 'calculator',
        input: {},
        arguments: '{"expression":"6 * 7"}',
      },
      text.length,
    )!;
    body.showCall(call);
    body.render(text);
    const card = content.querySelector('.tool-card');
    text += `The calculator tool returned 42. ${hostile}`;
    applyToolEvent(
      timeline,
      { type: 'tool-result', step: 1, toolCallId: 'c1', name: 'calculator', output: 42, durationMs: 2 },
      text.length,
    );
    body.showCall(call);
    body.render(text);

    const children = [...content.children].filter((child) => !(child as HTMLElement).hidden);
    expect(children.map((child) => child.className)).toEqual(['segment', 'tool-card', 'segment']);
    expect(children[0]!.querySelector('strong')?.textContent).toBe('compute');
    expect(children[2]!.textContent).toContain('The calculator tool returned 42.');
    expect(children[2]!.textContent).toContain('<script>window.__pwned=2</script>');
    expect(content.querySelectorAll('img, script, [onerror]')).toHaveLength(0);
    // The card is the same element, updated in place.
    expect(content.querySelector('.tool-card')).toBe(card);
    expect(card?.querySelector('.tool-output')?.textContent).toBe('result42');
  });

  it('hides the empty text before a reply that starts with a tool call', () => {
    const content = document.createElement('div');
    const body = createReplyBody(content, { decide: () => undefined });
    body.showCall({ ...waitingCall(), status: 'running', approval: undefined });
    body.render('');
    expect([...content.children].map((child) => `${child.className}:${(child as HTMLElement).hidden}`)).toEqual([
      'segment:true',
      'tool-card:false',
      'segment:true',
    ]);
  });
});
