import { describe, expect, it } from 'vitest';
import { readServerSentEvents } from './sse.js';
import {
  decodeStatsEvent,
  encodeStatsEvent,
  isStatsSnapshot,
  readStatsSnapshots,
  type StatsSnapshot,
} from './stats.js';
import { bodyOf, drain } from './test-streams.js';

const snapshot: StatsSnapshot = {
  time: 1_764_000_000_000,
  activeStreams: 2,
  streamsStarted: 10,
  streamsCompleted: 7,
  streamsFailed: 1,
  ttftMsP50: 180,
  ttftMsP95: null,
  chunksPerSecond: 12.5,
  charsPerSecond: 80.1,
  toolCalls: 3,
  toolCallsFailed: 1,
  toolMsP50: 4,
  toolMsP95: null,
  costUsd: 0,
};

describe('the stats feed', () => {
  it('encodes one data-only event, the exact bytes /stats/stream sends', () => {
    expect(encodeStatsEvent(snapshot)).toBe(`data: ${JSON.stringify(snapshot)}\n\n`);
  });

  it('round-trips over SSE, split anywhere', async () => {
    const later = { ...snapshot, time: snapshot.time + 1000, ttftMsP95: 400 };
    const { items, error } = await drain(
      readStatsSnapshots(bodyOf(encodeStatsEvent(snapshot) + encodeStatsEvent(later), 3).body),
    );
    expect(error).toBeUndefined();
    expect(items).toEqual([snapshot, later]);
    const { items: raw } = await drain(readServerSentEvents(bodyOf(encodeStatsEvent(snapshot)).body));
    expect(raw).toEqual([{ id: undefined, event: undefined, data: JSON.stringify(snapshot) }]);
  });

  it('skips malformed samples and keeps reading', async () => {
    const feed = `data: junk\n\ndata: ${JSON.stringify({ ...snapshot, time: '2026-01-01' })}\n\n${encodeStatsEvent(snapshot)}`;
    const { items, error } = await drain(readStatsSnapshots(bodyOf(feed).body));
    expect(error).toBeUndefined();
    expect(items).toEqual([snapshot]);
  });

  it.each([
    ['a string time', { ...snapshot, time: '1' }],
    ['a missing counter', { ...snapshot, streamsFailed: undefined }],
    ['a string percentile', { ...snapshot, ttftMsP50: '180' }],
    ['a missing tool counter', { ...snapshot, toolCalls: undefined }],
    ['a string tool percentile', { ...snapshot, toolMsP95: '9' }],
    ['null', null],
  ])('isStatsSnapshot rejects %s', (_name, value) => {
    expect(isStatsSnapshot(value)).toBe(false);
    expect(decodeStatsEvent(JSON.stringify(value))).toBeUndefined();
  });
});
