import { admitFiles } from './attachments.js';
import { AttachmentError, readImageFile } from './image-files.js';
import type { TurnImage } from './message-content.js';

/** The composer's elements that attachments use (all in index.html). */
export interface ComposerAttachmentElements {
  /** Where files may be dropped. */
  composer: HTMLElement;
  /** Where images may be pasted; focused when the last image is removed. */
  prompt: HTMLTextAreaElement;
  /** Opens the file picker. */
  button: HTMLButtonElement;
  /** The hidden `<input type=file multiple accept=…>`. */
  input: HTMLInputElement;
  /** Where the waiting images are shown. */
  list: HTMLUListElement;
  /** The inline error line (`role="alert"`). */
  error: HTMLElement;
}

/** The images waiting to go out with the next message. */
export interface ComposerAttachments {
  readonly count: number;
  /** Resolves once every file being read has been added (or refused). */
  settled(): Promise<void>;
  /** Takes the waiting images out of the composer, for the message being sent. */
  take(): TurnImage[];
  /** Puts a message's images back (a reply that failed before any text), when the composer has none. */
  restore(images: readonly TurnImage[]): void;
  clearError(): void;
}

function hasFiles(event: DragEvent): boolean {
  return event.dataTransfer?.types.includes('Files') ?? false;
}

function create<TTag extends keyof HTMLElementTagNameMap>(tag: TTag, className: string): HTMLElementTagNameMap[TTag] {
  const created = document.createElement(tag);
  created.className = className;
  return created;
}

/** The attach button, paste into the prompt and drop onto the composer, each handing its files to `add`. */
function listenForFiles(elements: ComposerAttachmentElements, add: (files: readonly File[]) => void): void {
  const { composer, prompt, button, input } = elements;
  button.addEventListener('click', () => input.click());
  input.addEventListener('change', () => {
    add([...(input.files ?? [])]);
    // Choosing the same file again must fire `change` again.
    input.value = '';
  });
  prompt.addEventListener('paste', (event) => {
    const files = [...(event.clipboardData?.files ?? [])];
    if (files.length === 0) return;
    // Text pasted along with the image (a copied web page, a file's name) still goes into the prompt.
    if (!event.clipboardData?.types.includes('text/plain')) event.preventDefault();
    add(files);
  });
  composer.addEventListener('dragover', (event) => {
    if (!hasFiles(event)) return;
    event.preventDefault();
    if (event.dataTransfer) event.dataTransfer.dropEffect = 'copy';
    composer.classList.add('dropping');
  });
  composer.addEventListener('dragleave', (event) => {
    if (!(event.relatedTarget instanceof Node && composer.contains(event.relatedTarget))) {
      composer.classList.remove('dropping');
    }
  });
  composer.addEventListener('drop', (event) => {
    if (!hasFiles(event)) return;
    event.preventDefault();
    composer.classList.remove('dropping');
    add([...(event.dataTransfer?.files ?? [])]);
  });
  // A file dropped anywhere else would make the browser open it in place of the page (and the conversation).
  for (const type of ['dragover', 'drop'] as const) {
    window.addEventListener(type, (event) => {
      if (!hasFiles(event) || composer.contains(event.target as Node)) return;
      event.preventDefault();
      if (event.dataTransfer) event.dataTransfer.dropEffect = 'none';
    });
  }
}

/**
 * Wires the attach button, paste into the prompt and drop onto the composer to a list of waiting images, each shown
 * as a small preview with a Remove button; files the agent would refuse are explained in the error line, and
 * nothing else in the composer changes.
 *
 * @example
 * ```ts
 * const attachments = createComposerAttachments({ composer, prompt, button, input, list, error });
 * await attachments.settled();
 * send(prompt.value, attachments.take());
 * ```
 */
export function createComposerAttachments(elements: ComposerAttachmentElements): ComposerAttachments {
  const { prompt, list, error } = elements;
  let images: TurnImage[] = [];
  /** Files admitted but still being read: they count against the limits already. */
  const reserved = { count: 0, bytes: 0 };
  let reading: Promise<void> = Promise.resolve();
  let ordinal = 0;

  const showProblems = (problems: readonly string[]) => {
    error.textContent = problems.join(' ');
    error.hidden = problems.length === 0;
  };

  const remove = (index: number) => {
    images = images.filter((_, position) => position !== index);
    render();
    const buttons = list.querySelectorAll<HTMLButtonElement>('.attachment-remove');
    (buttons[Math.min(index, buttons.length - 1)] ?? prompt).focus();
  };

  const item = (image: TurnImage, index: number) => {
    const entry = create('li', 'attachment');
    const preview = create('img', 'attachment-preview');
    preview.alt = image.name;
    preview.title = image.name;
    if (image.thumbnail) preview.src = image.thumbnail;
    const removeButton = create('button', 'attachment-remove');
    removeButton.type = 'button';
    removeButton.setAttribute('aria-label', `Remove ${image.name}`);
    removeButton.title = `Remove ${image.name}`;
    removeButton.textContent = '×';
    removeButton.addEventListener('click', () => remove(index));
    entry.append(preview, removeButton);
    return entry;
  };

  function render(): void {
    list.replaceChildren(...images.map(item));
    list.hidden = images.length === 0;
  }

  const read = async (files: readonly File[]) => {
    const problems: string[] = [];
    const first = ordinal + 1;
    ordinal += files.length;
    const results = await Promise.all(
      files.map((file, index) =>
        readImageFile(file, first + index).catch((failure: unknown) => {
          problems.push(failure instanceof AttachmentError ? failure.message : `${file.name} could not be read.`);
          return undefined;
        }),
      ),
    );
    images = [...images, ...results.filter((image) => image !== undefined)];
    render();
    if (problems.length > 0) showProblems([error.textContent ?? '', ...problems].filter(Boolean));
  };

  const add = (files: readonly File[]) => {
    if (files.length === 0) return;
    const { admitted, problems } = admitFiles(files, {
      count: images.length + reserved.count,
      bytes: images.reduce((total, image) => total + image.bytes, reserved.bytes),
    });
    showProblems(problems);
    if (admitted.length === 0) return;
    const bytes = admitted.reduce((total, file) => total + file.size, 0);
    reserved.count += admitted.length;
    reserved.bytes += bytes;
    reading = reading.then(() =>
      read(admitted)
        // A failure outside one file's reading (the DOM itself) must not leave every later send waiting on it.
        .catch(() => showProblems(['The images could not be read.']))
        .finally(() => {
          reserved.count -= admitted.length;
          reserved.bytes -= bytes;
        }),
    );
  };

  listenForFiles(elements, add);

  return {
    get count() {
      return images.length + reserved.count;
    },
    settled: () => reading,
    take() {
      const taken = images;
      images = [];
      render();
      return taken;
    },
    restore(restored) {
      if (images.length > 0 || reserved.count > 0 || restored.length === 0) return;
      images = [...restored];
      render();
    },
    clearError: () => showProblems([]),
  };
}
