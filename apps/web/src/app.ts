import type { AgentEvent } from '@rxllm/protocol';
import { imagePlaceholder } from './attachments.js';
import { approveToolCall, ChatError, cancelReply, fetchModels, type ModelOption, streamReply } from './chat-api.js';
import { type InFlightReply, loadChatSession, type SavedReply, saveChatSession } from './chat-session.js';
import { createComposerAttachments } from './composer-attachments.js';
import { startDashboard } from './dashboard.js';
import { create } from './dom.js';
import { type TurnImage, toChatMessages } from './message-content.js';
import { createReplyBody } from './reply-body.js';
import { createReplyTracker, formatReplyMetrics } from './reply-metrics.js';
import { applyToolEvent, canDecide, settleToolCalls, type ToolCallView, type ToolTimeline } from './tool-calls.js';
import type { ToolCardActions } from './tool-card.js';

const apiKeyStorageKey = 'rxllm.apiKey';

function element<TElement extends HTMLElement>(id: string): TElement {
  const found = document.getElementById(id);
  if (!found) throw new Error(`#${id} is missing from index.html`);
  return found as TElement;
}

const ui = {
  scroller: element<HTMLDivElement>('scroller'),
  empty: element<HTMLParagraphElement>('empty'),
  messages: element<HTMLOListElement>('messages'),
  composer: element<HTMLFormElement>('composer'),
  prompt: element<HTMLTextAreaElement>('prompt'),
  send: element<HTMLButtonElement>('send'),
  stop: element<HTMLButtonElement>('stop'),
  model: element<HTMLSelectElement>('model'),
  newChat: element<HTMLButtonElement>('new-chat'),
  apiKeyRow: element<HTMLDivElement>('api-key-row'),
  apiKey: element<HTMLInputElement>('api-key'),
  saveKey: element<HTMLButtonElement>('save-key'),
  apiKeyNote: element<HTMLParagraphElement>('api-key-note'),
};

const attachments = createComposerAttachments({
  composer: ui.composer,
  prompt: ui.prompt,
  button: element<HTMLButtonElement>('attach'),
  input: element<HTMLInputElement>('attach-input'),
  list: element<HTMLUListElement>('attachments'),
  error: element<HTMLParagraphElement>('attachment-error'),
});

const session = loadChatSession(sessionStorage);

/** The reply being streamed: its cancel handle and what a reload needs to pick it up. */
interface ActiveReply {
  controller: AbortController;
  inFlight: InFlightReply;
  stopping: boolean;
}

const state = {
  conversation: session.conversation,
  transcript: session.transcript,
  models: [] as ModelOption[],
  current: undefined as ActiveReply | undefined,
  /** Set when the page is going away: from then on nothing is saved, so the last save (with the stream's position) wins. */
  unloading: false,
  /** False once the agent showed that it does not keep streams (a cancel of a live stream answered 404). */
  resumable: undefined as boolean | undefined,
  /** A send is waiting for attached files to be read. */
  submitting: false,
};

function persist(): void {
  if (state.unloading) return;
  saveChatSession(sessionStorage, {
    conversation: state.conversation,
    transcript: state.transcript,
    ...(state.current ? { inFlight: state.current.inFlight } : {}),
  });
}

function apiKey(): string | undefined {
  return sessionStorage.getItem(apiKeyStorageKey) || undefined;
}

function askForApiKey(reason: string): void {
  ui.apiKeyRow.hidden = false;
  ui.apiKeyNote.textContent = `${reason} It is kept for this tab only (sessionStorage).`;
  ui.apiKey.focus();
}

function nearBottom(): boolean {
  return ui.scroller.scrollHeight - ui.scroller.scrollTop - ui.scroller.clientHeight < 80;
}

function scrollToBottom(): void {
  ui.scroller.scrollTop = ui.scroller.scrollHeight;
}

async function loadModels(): Promise<void> {
  try {
    const key = apiKey();
    state.models = await fetchModels(key ? { apiKey: key } : {});
  } catch (error) {
    if (error instanceof ChatError && error.status === 401) askForApiKey('This agent requires an API key.');
    return;
  }
  const byProvider = new Map<string, HTMLOptGroupElement>();
  const options = state.models.map((model, index) => {
    const option = new Option(model.id, String(index));
    let group = byProvider.get(model.provider);
    if (!group) {
      group = create('optgroup');
      group.label = model.provider || 'models';
      byProvider.set(model.provider, group);
    }
    group.append(option);
    return option;
  });
  if (options.length === 0) return;
  ui.model.replaceChildren(...byProvider.values());
  ui.model.value = '0';
}

function selectedModel(): ModelOption | undefined {
  return state.models[Number(ui.model.value)];
}

function setStreaming(streaming: boolean): void {
  ui.send.disabled = streaming;
  ui.stop.disabled = !streaming;
  ui.model.disabled = streaming;
  ui.newChat.disabled = streaming;
}

/** An image of a question in the transcript: its preview, or `[image: name]` when none was kept (a reload). */
function questionImage(image: TurnImage): HTMLElement {
  if (!image.thumbnail) return create('span', 'image-placeholder', imagePlaceholder(image.name));
  const preview = create('img', 'question-image');
  preview.alt = image.name;
  preview.title = image.name;
  preview.src = image.thumbnail;
  return preview;
}

function appendUserMessage(text: string, images: readonly TurnImage[] = []): void {
  ui.empty.hidden = true;
  const item = create('li', 'message user');
  const bubble = create('div', 'bubble', text);
  if (images.length > 0) {
    const gallery = create('div', text === '' ? 'question-images' : 'question-images after-text');
    gallery.append(...images.map(questionImage));
    bubble.append(gallery);
  }
  item.append(bubble);
  ui.messages.append(item);
}

/** A finished reply's cards decide nothing: their calls are settled, so they show no buttons. */
const noDecisions: ToolCardActions = { decide: () => undefined };

/** The DOM of one assistant reply, filled in as its events arrive. */
function createReplyView(actions: ToolCardActions = noDecisions) {
  const item = create('li', 'message assistant');
  const label = create('p', 'message-label', 'rxllm');
  const bubble = create('div', 'bubble');
  const reasoning = create('details', 'reasoning');
  const reasoningSummary = create('summary', undefined, 'Reasoning');
  const reasoningText = create('div', 'reasoning-text');
  reasoning.append(reasoningSummary, reasoningText);
  reasoning.hidden = true;
  const content = create('div', 'content');
  content.setAttribute('aria-live', 'polite');
  content.setAttribute('aria-busy', 'true');
  const body = createReplyBody(content, actions);
  const toolCalls = create('pre', 'tool-calls');
  toolCalls.hidden = true;
  const metrics = create('p', 'metrics');
  bubble.append(reasoning, content, toolCalls);
  item.append(label, bubble, metrics);
  ui.messages.append(item);
  return { item, label, bubble, reasoning, reasoningText, content, body, toolCalls, metrics };
}

type ReplyView = ReturnType<typeof createReplyView>;

function showError(bubble: HTMLElement, error: { kind: string; message: string }): void {
  const box = create('div', 'error');
  box.setAttribute('role', 'alert');
  box.append(create('strong', undefined, error.kind), document.createTextNode(`: ${error.message}`));
  bubble.append(box);
}

function toolCallsText(calls: InFlightReply['toolCalls']): string {
  return calls.map((entry) => `tool call: ${entry.name}(${entry.arguments})`).join('\n');
}

/** Fills a reply's view with what was saved (a reload) or what streamed so far. */
function showReply(
  view: ReplyView,
  reply: Pick<SavedReply, 'text' | 'reasoning' | 'toolCalls' | 'label' | 'tools'>,
): void {
  if (reply.label) view.label.textContent = reply.label;
  for (const call of reply.tools ?? []) view.body.showCall(call);
  view.body.render(reply.text);
  view.reasoningText.textContent = reply.reasoning;
  view.reasoning.hidden = reply.reasoning === '';
  view.toolCalls.textContent = reply.toolCalls;
  view.toolCalls.hidden = reply.toolCalls === '';
}

function showOutcome(view: ReplyView, reply: SavedReply): void {
  view.content.setAttribute('aria-busy', 'false');
  if (reply.status !== 'done' && reply.status !== 'failed') view.item.classList.add(reply.status);
  if (reply.error) showError(view.bubble, reply.error);
  view.metrics.textContent = reply.metrics;
}

function restoreTranscript(): void {
  for (const turn of state.transcript) {
    if (turn.role === 'user') {
      appendUserMessage(turn.text, turn.images);
      continue;
    }
    const view = createReplyView();
    showReply(view, turn);
    showOutcome(view, turn);
  }
}

/** A reply's tool loop so far, made when the reply has none (a new one, or one saved by an older page). */
function timelineOf(inFlight: InFlightReply): ToolTimeline {
  inFlight.tools ??= { step: 0, calls: [] };
  return inFlight.tools;
}

/** A 4xx answer to a decision is final (the call no longer waits, or the generation is gone), but a 401 is not. */
function refusedForGood(failure: ChatError): boolean {
  return failure.status !== undefined && failure.status >= 400 && failure.status < 500 && failure.status !== 401;
}

/** Sends a decision on a tool call of the streaming reply; the card shows it on its way, taken, or refused. */
async function decideToolCall(
  active: ActiveReply,
  view: ReplyView,
  call: ToolCallView,
  approved: boolean,
  reason: string | undefined,
): Promise<void> {
  if (!canDecide(call) || !call.id || state.current !== active) return;
  call.approval = { phase: 'sending', approved };
  view.body.showCall(call);
  const key = apiKey();
  try {
    const streamId = active.inFlight.streamId;
    if (!streamId) throw new ChatError('not-found', 'the agent has not named this reply yet');
    const decision = { toolCallId: call.id, approved, ...(reason ? { reason } : {}) };
    await approveToolCall(streamId, decision, key ? { apiKey: key } : {});
    call.approval = { phase: 'sent', approved };
    if (approved && call.status === 'awaiting-approval') call.status = 'running';
  } catch (error) {
    const failure = error instanceof ChatError ? error : new ChatError('unknown', String(error));
    if (failure.status === 401) askForApiKey('This agent requires an API key.');
    const phase = refusedForGood(failure) ? 'refused' : 'asked';
    call.approval = { phase, approved, problem: `${failure.kind}: ${failure.message}` };
  }
  view.body.showCall(call);
  persist();
}

/** Applies one event to the reply being streamed: its label, text, reasoning and tool calls. */
function createEventHandler(view: ReplyView, inFlight: InFlightReply, scheduleRender: () => void) {
  const timeline = timelineOf(inFlight);
  return (event: AgentEvent) => {
    // A tool call of the agent's tool loop is a card where it happened; one it does not run stays a line of text.
    const changed = applyToolEvent(timeline, event, inFlight.text.length);
    if (changed) {
      view.body.showCall(changed);
      scheduleRender();
    }
    switch (event.type) {
      case 'start':
        inFlight.label = `${event.provider} · ${event.model}`;
        view.label.textContent = inFlight.label;
        break;
      case 'text':
        inFlight.text += event.text;
        scheduleRender();
        break;
      case 'reasoning':
        inFlight.reasoning += event.text;
        view.reasoning.hidden = false;
        scheduleRender();
        break;
      case 'tool-call':
        if (!changed) showPlainToolCall(view, inFlight, event);
        break;
      case 'finish':
        if (event.reason !== 'stop' && event.reason !== 'tool-calls') inFlight.finishNote = `finished: ${event.reason}`;
        break;
      case 'failover':
        // One answer from two providers: the label says who took over, and why.
        inFlight.label = `${inFlight.label} → ${event.to.provider} · ${event.to.model} (after ${event.from.provider}: ${event.reason.kind})`;
        view.label.textContent = inFlight.label;
        break;
      default:
        break;
    }
  };
}

function showPlainToolCall(
  view: ReplyView,
  inFlight: InFlightReply,
  event: Extract<AgentEvent, { type: 'tool-call' }>,
) {
  let call = inFlight.toolCalls.find((entry) => entry.index === event.index);
  if (!call) {
    call = { index: event.index, name: event.name ?? 'tool', arguments: '' };
    inFlight.toolCalls.push(call);
  }
  call.arguments += event.argumentsDelta;
  view.toolCalls.hidden = false;
  view.toolCalls.textContent = toolCallsText(inFlight.toolCalls);
}

/**
 * Streams a reply into a new view: a new one (`POST /chat`) or, after a reload, the rest of one that was streaming
 * (`GET /chat/:streamId` from its last event id, so the text already shown is neither repeated nor missing).
 */
async function runReply(inFlight: InFlightReply, resuming: boolean, images: TurnImage[] = []): Promise<void> {
  const controller = new AbortController();
  const active: ActiveReply = { controller, inFlight, stopping: false };
  state.current = active;
  setStreaming(true);
  const view: ReplyView = createReplyView({
    decide: (call, approved, reason) => void decideToolCall(active, view, call, approved, reason),
  });
  showReply(view, { ...inFlight, toolCalls: toolCallsText(inFlight.toolCalls), tools: timelineOf(inFlight).calls });
  scrollToBottom();
  persist();

  const tracker = createReplyTracker();
  let frame = 0;
  const render = () => {
    frame = 0;
    const follow = nearBottom();
    view.body.render(inFlight.text);
    view.reasoningText.textContent = inFlight.reasoning;
    if (follow) scrollToBottom();
    persist();
  };
  // Re-rendering Markdown on every token would be wasted work: once per animation frame is all the eye sees.
  const scheduleRender = () => {
    frame ||= requestAnimationFrame(render);
  };
  const handleEvent = createEventHandler(view, inFlight, scheduleRender);
  const handle = (event: AgentEvent) => {
    tracker.observe(event);
    handleEvent(event);
  };

  let failure: ChatError | undefined;
  let reconnecting = false;
  try {
    const model = selectedModel();
    const key = apiKey();
    for await (const { id, event } of streamReply({
      messages: toChatMessages(state.conversation),
      ...(model ? { provider: model.provider, model: model.id } : {}),
      ...(key ? { apiKey: key } : {}),
      ...(resuming && inFlight.streamId
        ? { resumeFrom: { streamId: inFlight.streamId, lastEventId: inFlight.lastEventId } }
        : {}),
      signal: controller.signal,
      onStreamId: (streamId) => {
        inFlight.streamId = streamId;
        persist();
      },
      reconnect: {
        onReconnect: (attempt) => {
          reconnecting = true;
          view.metrics.textContent = `connection lost · reconnecting (attempt ${attempt})…`;
        },
      },
    })) {
      // The text and the id it corresponds to change together, so a save between two events is always consistent.
      if (id !== undefined) inFlight.lastEventId = id;
      handle(event);
      if (reconnecting) {
        reconnecting = false;
        view.metrics.textContent = '';
      }
    }
  } catch (error) {
    failure = error instanceof ChatError ? error : new ChatError('unknown', String(error));
  }
  // The page is being replaced (reload, navigation): leave the saved in-flight reply for the next page to resume.
  if (state.unloading) return;
  tracker.end();
  cancelAnimationFrame(frame);
  render();
  state.current = undefined;
  setStreaming(false);
  finishReply(view, inFlight, failure, tracker.metrics(), resuming, images);
}

/** Records how a reply ended (in the view, the transcript and the conversation) and saves the tab's state. */
function finishReply(
  view: ReplyView,
  inFlight: InFlightReply,
  failure: ChatError | undefined,
  metrics: ReturnType<ReturnType<typeof createReplyTracker>['metrics']> | undefined,
  resumed: boolean,
  /** The question's images (not saved, so none after a reload): given back to the composer with its text. */
  images: TurnImage[] = [],
): void {
  const notes: string[] = [];
  let status: SavedReply['status'] = 'done';
  let error: SavedReply['error'];
  if (failure?.kind === 'aborted') {
    status = 'stopped';
    notes.push('stopped');
  } else if (
    failure &&
    (failure.kind === 'interrupted' || (inFlight.streamId && (failure.status === 404 || failure.kind === 'network')))
  ) {
    // The stream is gone (the agent does not keep streams, or it expired) or unreachable for good.
    status = 'interrupted';
    notes.push(
      failure.status === 404 && failure.kind === 'not-found'
        ? 'interrupted: the agent no longer has this reply'
        : `interrupted: ${failure.message}`,
    );
  } else if (failure) {
    status = 'failed';
    error = { kind: failure.kind, message: failure.message };
    if (failure.status === 401) askForApiKey('This agent requires an API key.');
  }
  if (inFlight.finishNote) notes.push(inFlight.finishNote);
  if (resumed && status === 'done') notes.push('resumed after a reload');
  const timeline = timelineOf(inFlight);
  // A call still running or waiting when the reply ended will get no result: its card says so, without buttons.
  for (const call of settleToolCalls(timeline)) view.body.showCall(call);
  const reply: SavedReply = {
    role: 'assistant',
    text: inFlight.text,
    reasoning: inFlight.reasoning,
    toolCalls: toolCallsText(inFlight.toolCalls),
    ...(timeline.calls.length > 0 ? { tools: timeline.calls } : {}),
    label: inFlight.label,
    metrics: [...(metrics ? [formatReplyMetrics(metrics)] : []), ...notes].join(' · '),
    status,
    ...(error ? { error } : {}),
  };
  showOutcome(view, reply);
  state.transcript.push(reply);

  if (inFlight.text !== '') {
    // A stopped, failed or interrupted reply still goes into the context: it is what the person saw.
    state.conversation.push({ role: 'assistant', content: inFlight.text });
  } else {
    // Nothing came back: drop the unanswered turn so the next request does not carry it twice.
    state.conversation.pop();
    if (failure && failure.kind !== 'aborted') {
      if (ui.prompt.value === '') ui.prompt.value = inFlight.prompt;
      attachments.restore(images);
    }
  }
  persist();
  if (nearBottom()) scrollToBottom();
  ui.prompt.focus();
}

function send(prompt: string, images: TurnImage[]): void {
  appendUserMessage(prompt, images);
  // The conversation and the transcript share the image objects: saving leaves their bytes out of both.
  const withImages = images.length > 0 ? { images } : {};
  state.conversation.push({ role: 'user', content: prompt, ...withImages });
  state.transcript.push({ role: 'user', text: prompt, ...withImages });
  const inFlight: InFlightReply = {
    prompt,
    lastEventId: 0,
    text: '',
    reasoning: '',
    toolCalls: [],
    tools: { step: 0, calls: [] },
    label: '',
    finishNote: '',
  };
  void runReply(inFlight, false, images);
}

/**
 * Stop: when the agent keeps streams (`RESUMABLE_STREAMS=true`) a disconnect only detaches, so the generation is
 * cancelled explicitly first; closing the connection is what cancels on an agent that does not keep them.
 */
async function stopCurrent(): Promise<void> {
  const active = state.current;
  if (!active || active.stopping) return;
  active.stopping = true;
  ui.stop.disabled = true;
  const streamId = active.inFlight.streamId;
  if (streamId && state.resumable !== false) {
    const key = apiKey();
    const outcome = await cancelReply(streamId, key ? { apiKey: key } : {});
    // A 404 for a reply that is still streaming: this agent does not keep streams; later stops just disconnect.
    if (outcome === 'not-running' && state.current === active) state.resumable = false;
  }
  active.controller.abort();
}

/** Sends the composer's text and images (either may be missing, not both) once every attached file is read. */
async function submit(): Promise<void> {
  if (state.current || state.submitting) return;
  state.submitting = true;
  try {
    await attachments.settled();
  } finally {
    state.submitting = false;
  }
  const prompt = ui.prompt.value.trim();
  if ((prompt === '' && attachments.count === 0) || state.current) return;
  ui.prompt.value = '';
  attachments.clearError();
  send(prompt, attachments.take());
}

ui.composer.addEventListener('submit', (event) => {
  event.preventDefault();
  void submit();
});

ui.prompt.addEventListener('keydown', (event) => {
  if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
    event.preventDefault();
    ui.composer.requestSubmit();
  }
});

ui.stop.addEventListener('click', () => void stopCurrent());

document.addEventListener('keydown', (event) => {
  if (event.key === 'Escape' && state.current) void stopCurrent();
});

// The last save before a reload or navigation: the in-flight reply's text and its stream position, together.
window.addEventListener('pagehide', () => {
  persist();
  state.unloading = true;
});
window.addEventListener('pageshow', (event) => {
  // Back from the back/forward cache: this page lives on.
  if (event.persisted) state.unloading = false;
});

ui.newChat.addEventListener('click', () => {
  state.conversation = [];
  state.transcript = [];
  persist();
  ui.messages.replaceChildren();
  ui.empty.hidden = false;
  ui.prompt.focus();
});

ui.saveKey.addEventListener('click', () => {
  const key = ui.apiKey.value.trim();
  if (key) sessionStorage.setItem(apiKeyStorageKey, key);
  else sessionStorage.removeItem(apiKeyStorageKey);
  ui.apiKey.value = '';
  ui.apiKeyRow.hidden = true;
  void loadModels();
  ui.prompt.focus();
});

ui.apiKey.addEventListener('keydown', (event) => {
  if (event.key === 'Enter') {
    event.preventDefault();
    ui.saveKey.click();
  }
});

restoreTranscript();
if (state.transcript.length > 0) {
  ui.empty.hidden = true;
  scrollToBottom();
}
const interrupted = session.inFlight;
if (interrupted?.streamId) {
  void runReply(interrupted, true);
} else if (interrupted) {
  // The page went away before the agent named the stream: there is nothing to pick up.
  finishReply(
    createReplyView(),
    interrupted,
    new ChatError('interrupted', 'the page was reloaded before the reply started'),
    undefined,
    false,
  );
}

void loadModels();
void startDashboard(apiKey, new AbortController().signal);
ui.prompt.focus();
