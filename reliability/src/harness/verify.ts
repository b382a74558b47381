/** One event as a client saw it: its sequence id, type and payload. */
export interface SeenEvent {
  id: number | undefined;
  type: string;
  data: Record<string, unknown>;
  /** `performance.now()` at arrival. */
  at: number;
}

/** What a transcript shows: its text, its terminal event, and every integrity problem found. */
export interface Verdict {
  text: string;
  terminal: 'done' | 'error' | 'none';
  errorKind: string | undefined;
  contentEvents: number;
  problems: string[];
}

/**
 * Checks one stream's events exactly: ids 1, 2, 3, … with no gap or repeat, exactly one terminal event (`done` or
 * `error`) and nothing after it. Returns the concatenated text for the caller to compare.
 */
export function verifyTranscript(events: readonly SeenEvent[]): Verdict {
  const problems: string[] = [];
  let text = '';
  let terminal: Verdict['terminal'] = 'none';
  let errorKind: string | undefined;
  let contentEvents = 0;
  events.forEach((event, index) => {
    if (event.id !== index + 1) problems.push(`event ${index} has id ${event.id}, expected ${index + 1}`);
    if (terminal !== 'none') problems.push(`event ${event.type} (id ${event.id}) after the terminal event`);
    if (event.type === 'text') {
      text += String(event.data.text ?? '');
      contentEvents += 1;
    } else if (event.type === 'done') {
      terminal = 'done';
    } else if (event.type === 'error') {
      terminal = 'error';
      errorKind = String((event.data.error as { kind?: unknown } | undefined)?.kind);
    }
  });
  if (terminal === 'none') problems.push(`no terminal event after ${events.length} events (silent truncation)`);
  return { text, terminal, errorKind, contentEvents, problems };
}
