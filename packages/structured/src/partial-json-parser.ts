type Container = Record<string, unknown> | unknown[];

interface Frame {
  container: Container;
  isArray: boolean;
  /** The key whose value is being read (objects). */
  key: string;
  /** The index of the element being read (arrays). */
  index: number;
  /** Handed out in a snapshot: copied before the next write, so that a snapshot never changes. */
  published: boolean;
}

type Mode =
  | 'value'
  | 'value-or-close'
  | 'key'
  | 'key-or-close'
  | 'colon'
  | 'after'
  | 'string'
  | 'number'
  | 'literal'
  | 'done';

/** Thrown by {@link PartialJsonParser.write} at the first character that cannot continue a JSON text. */
export class PartialJsonSyntaxError extends SyntaxError {
  override readonly name = 'PartialJsonSyntaxError';
  /** Offset of the offending character in the whole text written so far. */
  readonly position: number;

  constructor(message: string, position: number) {
    super(`${message} at position ${position}`);
    this.position = position;
  }
}

/** Called when a value is complete; `depth` is the number of containers still open around it. */
export type CompletedValueListener = (value: unknown, depth: number) => void;

const numberPattern = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;
const literals: Record<string, { word: string; value: unknown }> = {
  t: { word: 'true', value: true },
  f: { word: 'false', value: false },
  n: { word: 'null', value: null },
};
const escapes: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };

function isWhitespace(code: number): boolean {
  return code === 0x20 || code === 0x0a || code === 0x0d || code === 0x09;
}

function isNumberCharacter(code: number): boolean {
  // 0-9 . - + e E
  return (
    (code >= 0x30 && code <= 0x39) || code === 0x2e || code === 0x2d || code === 0x2b || code === 0x65 || code === 0x45
  );
}

function setSlot(frame: Frame, value: unknown): void {
  if (frame.isArray) (frame.container as unknown[])[frame.index] = value;
  // `__proto__` is an own property in JSON.parse's result; plain assignment would set the prototype instead.
  else if (frame.key === '__proto__')
    Object.defineProperty(frame.container, frame.key, { value, enumerable: true, writable: true, configurable: true });
  else (frame.container as Record<string, unknown>)[frame.key] = value;
}

function shallowCopy(container: Container): Container {
  return Array.isArray(container) ? container.slice() : { ...container };
}

/**
 * An incremental JSON parser for text that arrives in pieces: each character is read once (O(n) over the whole
 * text, where re-parsing the prefix on every piece is O(n²)), and {@link PartialJsonParser.snapshot} returns the
 * deep-partial value read so far. Snapshots are immutable and share the subtrees that did not change since the
 * previous one (only the open containers are copied when they change again).
 *
 * A partial value never loses what an earlier snapshot showed: a string value grows from its first character, a
 * number shows once its text is a valid number (`1`, then `12`), `true`/`false`/`null` show once complete, an
 * object key shows with the first representable piece of its value, an element with its first piece. Text after
 * the root value is ignored (a closing code fence, a sign-off).
 *
 * @example
 * ```ts
 * const parser = new PartialJsonParser();
 * parser.write('{"name":"Ad');
 * parser.snapshot(); // { name: 'Ad' }
 * parser.write('a","age":3');
 * parser.snapshot(); // { name: 'Ada', age: 3 }
 * parser.write('6}');
 * parser.done; // true
 * parser.snapshot(); // { name: 'Ada', age: 36 }
 * ```
 */
export class PartialJsonParser {
  private mode: Mode = 'value';
  private readonly stack: Frame[] = [];
  private root: unknown;
  private hasRoot = false;
  private offset = 0;
  private writableDepth = 0;
  private dirty = false;
  private stringIsKey = false;
  private stringValue = '';
  /** 0: none, 1: after a backslash, 2: inside `\uXXXX`. */
  private escapeState = 0;
  private unicodeHex = '';
  private numberText = '';
  private numberValue: number | undefined;
  private literalText = '';
  private readonly onCompleted: CompletedValueListener | undefined;

  /** `onCompleted` hears every value as it completes (elements of arrays, object values, the root). */
  constructor(options: { onCompleted?: CompletedValueListener } = {}) {
    this.onCompleted = options.onCompleted;
  }

  /** True once the root value is complete. */
  get done(): boolean {
    return this.mode === 'done';
  }

  /** True once the root value has started. */
  get started(): boolean {
    return this.hasRoot || this.mode === 'string' || this.mode === 'number' || this.mode === 'literal';
  }

  /** True when a snapshot would differ from the previous one. */
  get changed(): boolean {
    return this.dirty;
  }

  /** Whether the container `depth` levels down from the root (0 = the root) is an array. */
  isArrayAt(depth: number): boolean {
    return this.stack[depth]?.isArray ?? false;
  }

  /** The key being read in the object `depth` levels down from the root. */
  keyAt(depth: number): string | undefined {
    const frame = this.stack[depth];
    return frame && !frame.isArray ? frame.key : undefined;
  }

  /** Reads the next piece of the text. Throws a {@link PartialJsonSyntaxError} at the first invalid character. */
  write(text: string): void {
    let index = 0;
    while (index < text.length) {
      switch (this.mode) {
        case 'done':
          index = text.length;
          break;
        case 'string':
          index = this.readString(text, index);
          break;
        case 'number':
          index = this.readNumber(text, index);
          break;
        case 'literal':
          index = this.readLiteral(text, index);
          break;
        default:
          // A number or a literal starts in its own mode, on the same character.
          if (this.readStructural(text.charCodeAt(index), text[index] as string, index)) index += 1;
      }
    }
    this.offset += text.length;
  }

  /** Ends the text: a number at the root completes. Returns {@link PartialJsonParser.done}. */
  end(): boolean {
    if (this.mode === 'number' && this.stack.length === 0) this.finishNumber(this.offset);
    return this.done;
  }

  /**
   * The value read so far, or `undefined` before it starts. Immutable: later writes copy what they change.
   * Once {@link PartialJsonParser.done}, it is the value `JSON.parse` gives for the text.
   */
  snapshot(): unknown {
    this.dirty = false;
    const inProgress = this.inProgressValue();
    if (this.stack.length === 0) return this.hasRoot ? this.root : inProgress;
    if (inProgress !== undefined) this.writeValue(inProgress);
    for (const frame of this.stack) frame.published = true;
    this.writableDepth = 0;
    return this.root;
  }

  private inProgressValue(): unknown {
    if (this.mode === 'string' && !this.stringIsKey) return this.stringValue;
    if (this.mode === 'number') return this.numberValue;
    return undefined;
  }

  private fail(message: string, index: number): never {
    throw new PartialJsonSyntaxError(message, this.offset + index);
  }

  /** Reads one character outside strings, numbers and literals; false when it starts a number or a literal. */
  private readStructural(code: number, character: string, index: number): boolean {
    if (isWhitespace(code)) return true;
    const mode = this.mode;
    if ((mode === 'value-or-close' && character === ']') || (mode === 'key-or-close' && character === '}')) {
      this.closeContainer();
    } else if (mode === 'value' || mode === 'value-or-close') {
      return this.startValue(code, character, index);
    } else if (mode === 'key' || mode === 'key-or-close') {
      if (character !== '"') this.fail(`Expected an object key, got '${character}'`, index);
      this.startString(true);
    } else if (mode === 'colon') {
      if (character !== ':') this.fail(`Expected ':' after an object key, got '${character}'`, index);
      this.mode = 'value';
    } else {
      this.readAfterValue(character, index);
    }
    return true;
  }

  private readAfterValue(character: string, index: number): void {
    const top = this.stack[this.stack.length - 1] as Frame;
    if (character === ',') {
      if (top.isArray) top.index += 1;
      this.mode = top.isArray ? 'value' : 'key';
    } else if (character === (top.isArray ? ']' : '}')) {
      this.closeContainer();
    } else {
      this.fail(`Expected ',' or '${top.isArray ? ']' : '}'}', got '${character}'`, index);
    }
  }

  private startValue(code: number, character: string, index: number): boolean {
    if (character === '{') this.openContainer({}, false);
    else if (character === '[') this.openContainer([], true);
    else if (character === '"') {
      this.startString(false);
      this.dirty = true;
    } else if (code === 0x2d || (code >= 0x30 && code <= 0x39)) {
      this.mode = 'number';
      this.numberText = '';
      this.numberValue = undefined;
      return false;
    } else if (literals[character]) {
      this.mode = 'literal';
      this.literalText = '';
      return false;
    } else {
      this.fail(`Unexpected '${character}' where a value should start`, index);
    }
    return true;
  }

  private startString(isKey: boolean): void {
    this.mode = 'string';
    this.stringIsKey = isKey;
    this.stringValue = '';
    this.escapeState = 0;
  }

  private readString(text: string, start: number): number {
    let index = start;
    while (index < text.length) {
      if (this.escapeState !== 0) {
        this.readEscape(text[index] as string, index);
        index += 1;
        continue;
      }
      const runStart = index;
      let code = text.charCodeAt(index);
      while (code !== 0x22 && code !== 0x5c && code >= 0x20) {
        index += 1;
        if (index === text.length) break;
        code = text.charCodeAt(index);
      }
      if (index > runStart) this.appendToString(text.slice(runStart, index));
      if (index === text.length) break;
      if (code < 0x20) this.fail('Unescaped control character in a string', index);
      index += 1;
      if (code === 0x5c) this.escapeState = 1;
      else {
        this.finishString();
        break;
      }
    }
    return index;
  }

  private readEscape(character: string, index: number): void {
    if (this.escapeState === 1) {
      if (character === 'u') {
        this.escapeState = 2;
        this.unicodeHex = '';
        return;
      }
      const escaped = escapes[character];
      if (escaped === undefined) this.fail(`Invalid escape '\\${character}'`, index);
      this.escapeState = 0;
      this.appendToString(escaped);
      return;
    }
    if (!/[0-9a-fA-F]/.test(character)) this.fail(`Invalid hex digit '${character}' in a \\u escape`, index);
    this.unicodeHex += character;
    if (this.unicodeHex.length === 4) {
      this.escapeState = 0;
      this.appendToString(String.fromCharCode(Number.parseInt(this.unicodeHex, 16)));
    }
  }

  private appendToString(text: string): void {
    this.stringValue += text;
    if (!this.stringIsKey) this.dirty = true;
  }

  private finishString(): void {
    if (this.stringIsKey) {
      (this.stack[this.stack.length - 1] as Frame).key = this.stringValue;
      this.mode = 'colon';
      return;
    }
    // The string as the last snapshot showed it, unless something changed since: closing it changes nothing visible.
    this.completeScalar(this.stringValue, !this.dirty);
  }

  private readNumber(text: string, start: number): number {
    let index = start;
    while (index < text.length && isNumberCharacter(text.charCodeAt(index))) index += 1;
    this.numberText += text.slice(start, index);
    if (index < text.length) {
      this.finishNumber(this.offset + index);
      return index;
    }
    if (numberPattern.test(this.numberText)) {
      const value = Number(this.numberText);
      if (value !== this.numberValue) {
        this.numberValue = value;
        this.dirty = true;
      }
    }
    return index;
  }

  private finishNumber(position: number): void {
    if (!numberPattern.test(this.numberText))
      throw new PartialJsonSyntaxError(`Invalid number '${this.numberText}'`, position);
    const value = Number(this.numberText);
    this.completeScalar(value, !this.dirty && value === this.numberValue);
  }

  private readLiteral(text: string, start: number): number {
    let index = start;
    const literal = literals[this.literalText[0] ?? (text[start] as string)] as { word: string; value: unknown };
    while (index < text.length && this.literalText.length < literal.word.length) {
      const character = text[index] as string;
      if (character !== literal.word[this.literalText.length])
        this.fail(`Unexpected '${character}' in '${literal.word}'`, index);
      this.literalText += character;
      index += 1;
    }
    if (this.literalText.length === literal.word.length) this.completeScalar(literal.value);
    return index;
  }

  /** Copies every published open container from the root down, so that a write never changes a snapshot. */
  private ensureWritable(): void {
    for (let depth = this.writableDepth; depth < this.stack.length; depth += 1) {
      const frame = this.stack[depth] as Frame;
      if (!frame.published) continue;
      frame.container = shallowCopy(frame.container);
      frame.published = false;
      if (depth === 0) this.root = frame.container;
      else setSlot(this.stack[depth - 1] as Frame, frame.container);
    }
    this.writableDepth = this.stack.length;
  }

  private writeValue(value: unknown): void {
    this.ensureWritable();
    setSlot(this.stack[this.stack.length - 1] as Frame, value);
  }

  private openContainer(container: Container, isArray: boolean): void {
    if (this.stack.length === 0) {
      this.root = container;
      this.hasRoot = true;
    } else {
      this.writeValue(container);
    }
    this.stack.push({ container, isArray, key: '', index: 0, published: false });
    this.writableDepth = this.stack.length;
    this.mode = isArray ? 'value-or-close' : 'key-or-close';
    this.dirty = true;
  }

  private closeContainer(): void {
    const frame = this.stack.pop() as Frame;
    this.writableDepth = Math.min(this.writableDepth, this.stack.length);
    this.afterValue(frame.container);
  }

  /** `shown`: the last snapshot already showed this value in its place. */
  private completeScalar(value: unknown, shown = false): void {
    if (this.stack.length === 0) {
      this.root = value;
      this.hasRoot = true;
    } else {
      this.writeValue(value);
    }
    if (!shown) this.dirty = true;
    this.afterValue(value);
  }

  private afterValue(value: unknown): void {
    this.mode = this.stack.length === 0 ? 'done' : 'after';
    this.onCompleted?.(value, this.stack.length);
  }
}
