import { describe, expect, it } from 'vitest';
import { formatLogLine } from './pretty-log-stream.js';

describe('formatLogLine', () => {
  it('shows time, level, message and the extra fields', () => {
    const line = JSON.stringify({
      level: 30,
      time: Date.UTC(2026, 0, 1, 9, 41, 7, 215),
      service: 'rxllm-agent',
      streamId: 'abc',
      chunks: 3,
      msg: 'First chunk received: "Once"',
    });
    expect(formatLogLine(line)).toBe('09:41:07.215 INFO  First chunk received: "Once"  streamId=abc chunks=3');
  });

  it('passes a line that is not JSON through', () => {
    expect(formatLogLine('plain text')).toBe('plain text');
  });
});
