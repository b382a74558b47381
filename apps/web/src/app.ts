import { ChatError, type ChatEvent, type ChatMessage, fetchModels, type ModelOption, streamChat } from './chat-api.js';
import { startDashboard } from './dashboard.js';
import { renderMarkdown } from './markdown.js';
import { createReplyTracker, formatReplyMetrics } from './reply-metrics.js';

const apiKeyStorageKey = 'rxllm.apiKey';

function element<TElement extends HTMLElement>(id: string): TElement {
  const found = document.getElementById(id);
  if (!found) throw new Error(`#${id} is missing from index.html`);
  return found as TElement;
}

function create<TTag extends keyof HTMLElementTagNameMap>(
  tag: TTag,
  className?: string,
  text?: string,
): HTMLElementTagNameMap[TTag] {
  const created = document.createElement(tag);
  if (className) created.className = className;
  if (text !== undefined) created.textContent = text;
  return created;
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

const state = {
  conversation: [] as ChatMessage[],
  models: [] as ModelOption[],
  current: undefined as AbortController | undefined,
};

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

function appendUserMessage(text: string): void {
  ui.empty.hidden = true;
  const item = create('li', 'message user');
  item.append(create('div', 'bubble', text));
  ui.messages.append(item);
}

/** The DOM of one assistant reply, filled in as its events arrive. */
function createReplyView() {
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
  const toolCalls = create('pre', 'tool-calls');
  toolCalls.hidden = true;
  const metrics = create('p', 'metrics');
  bubble.append(reasoning, content, toolCalls);
  item.append(label, bubble, metrics);
  ui.messages.append(item);
  return { item, label, bubble, reasoning, reasoningText, content, toolCalls, metrics };
}

function showError(bubble: HTMLElement, error: ChatError): void {
  const box = create('div', 'error');
  box.setAttribute('role', 'alert');
  box.append(create('strong', undefined, error.kind), document.createTextNode(`: ${error.message}`));
  bubble.append(box);
}

async function send(prompt: string): Promise<void> {
  const controller = new AbortController();
  state.current = controller;
  setStreaming(true);
  appendUserMessage(prompt);
  state.conversation.push({ role: 'user', content: prompt });
  const view = createReplyView();
  scrollToBottom();

  const tracker = createReplyTracker();
  let text = '';
  let reasoning = '';
  const toolArguments = new Map<number, { name: string; arguments: string }>();
  let finishNote = '';
  let frame = 0;
  const render = () => {
    frame = 0;
    const follow = nearBottom();
    view.content.innerHTML = renderMarkdown(text);
    view.reasoningText.textContent = reasoning;
    if (follow) scrollToBottom();
  };
  // Re-rendering Markdown on every token would be wasted work: once per animation frame is all the eye sees.
  const scheduleRender = () => {
    frame ||= requestAnimationFrame(render);
  };
  const handle = (event: ChatEvent) => {
    tracker.observe(event);
    switch (event.type) {
      case 'start':
        view.label.textContent = `${event.provider} · ${event.model}`;
        break;
      case 'text':
        text += event.text;
        scheduleRender();
        break;
      case 'reasoning':
        reasoning += event.text;
        view.reasoning.hidden = false;
        scheduleRender();
        break;
      case 'tool-call': {
        const call = toolArguments.get(event.index) ?? { name: event.name ?? 'tool', arguments: '' };
        call.arguments += event.argumentsDelta;
        toolArguments.set(event.index, call);
        view.toolCalls.hidden = false;
        view.toolCalls.textContent = [...toolArguments.values()]
          .map((entry) => `tool call: ${entry.name}(${entry.arguments})`)
          .join('\n');
        break;
      }
      case 'finish':
        if (event.reason !== 'stop' && event.reason !== 'tool-calls') finishNote = `finished: ${event.reason}`;
        break;
      default:
        break;
    }
  };

  let failure: ChatError | undefined;
  try {
    const model = selectedModel();
    const key = apiKey();
    for await (const event of streamChat({
      messages: state.conversation,
      ...(model ? { provider: model.provider, model: model.id } : {}),
      ...(key ? { apiKey: key } : {}),
      signal: controller.signal,
    })) {
      handle(event);
    }
  } catch (error) {
    failure = error instanceof ChatError ? error : new ChatError('unknown', String(error));
  } finally {
    tracker.end();
    cancelAnimationFrame(frame);
    render();
    view.content.setAttribute('aria-busy', 'false');
    state.current = undefined;
    setStreaming(false);
  }

  const notes: string[] = [];
  if (failure?.kind === 'aborted') {
    view.item.classList.add('stopped');
    notes.push('stopped');
  } else if (failure) {
    showError(view.bubble, failure);
    if (failure.status === 401) askForApiKey('This agent requires an API key.');
  }
  if (finishNote) notes.push(finishNote);
  view.metrics.textContent = [formatReplyMetrics(tracker.metrics()), ...notes].join(' · ');

  if (text !== '') {
    // A stopped or failed reply still goes into the context: it is what the person saw.
    state.conversation.push({ role: 'assistant', content: text });
  } else {
    // Nothing came back: drop the unanswered turn so the next request does not carry it twice.
    state.conversation.pop();
    if (failure && failure.kind !== 'aborted' && ui.prompt.value === '') ui.prompt.value = prompt;
  }
  if (nearBottom()) scrollToBottom();
  ui.prompt.focus();
}

ui.composer.addEventListener('submit', (event) => {
  event.preventDefault();
  const prompt = ui.prompt.value.trim();
  if (prompt === '' || state.current) return;
  ui.prompt.value = '';
  void send(prompt);
});

ui.prompt.addEventListener('keydown', (event) => {
  if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
    event.preventDefault();
    ui.composer.requestSubmit();
  }
});

ui.stop.addEventListener('click', () => state.current?.abort());

document.addEventListener('keydown', (event) => {
  if (event.key === 'Escape' && state.current) state.current.abort();
});

ui.newChat.addEventListener('click', () => {
  state.conversation = [];
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

void loadModels();
void startDashboard(apiKey, new AbortController().signal);
ui.prompt.focus();
