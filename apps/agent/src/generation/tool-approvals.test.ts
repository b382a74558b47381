import type { ToolApprovalDecision } from '@rxllm/tools';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ConfigError, loadConfig } from '../config.js';
import { HttpError } from '../http/errors.js';
import { ApprovalDesk, PendingApprovals, parseApprovalBody, type RunMessenger } from './tool-approvals.js';
import { toolsFor } from './tool-loop.js';

const request = (toolCallId: string) =>
  ({ type: 'tool-approval-request', step: 1, toolCallId, name: 'calculator', input: {} }) as const;
const result = (toolCallId: string) =>
  ({ type: 'tool-result', step: 1, toolCallId, name: 'calculator', output: 1, durationMs: 0 }) as const;

function collect(approvals: PendingApprovals): ToolApprovalDecision[] {
  const seen: ToolApprovalDecision[] = [];
  approvals.decisions.subscribe((decision) => seen.push(decision));
  return seen;
}

describe('TOOL_APPROVAL', () => {
  it('is none by default, all, or a list of names; marks only those tools', () => {
    expect(loadConfig({}).toolApproval).toEqual([]);
    expect(loadConfig({ TOOL_APPROVAL: 'ALL' }).toolApproval).toBe('all');
    expect(loadConfig({ TOOL_APPROVAL: 'none' }).toolApproval).toEqual([]);
    expect(loadConfig({ TOOL_APPROVAL: ' calculator, calculator,fs__write ' }).toolApproval).toEqual([
      'calculator',
      'fs__write',
    ]);
    const tools = toolsFor(loadConfig({ TOOL_APPROVAL: 'calculator' }), 'simulated') ?? {};
    expect(tools.calculator?.asksApproval).toBe(true);
    expect(tools.clock?.asksApproval).toBe(false);
    const all = toolsFor(loadConfig({ TOOL_APPROVAL: 'all' }), 'simulated') ?? {};
    expect(Object.values(all).every((entry) => entry.asksApproval)).toBe(true);
    expect(loadConfig({ TOOL_APPROVAL_TIMEOUT_MS: '2000' }).toolApprovalTimeoutMs).toBe(2000);
    expect(loadConfig({}).toolApprovalTimeoutMs).toBe(300_000);
  });

  it('refuses a name no provider would take, and a deadline under a second', () => {
    expect(() => loadConfig({ TOOL_APPROVAL: 'calculator,rm -rf' })).toThrow(ConfigError);
    expect(() => loadConfig({ TOOL_APPROVAL: 'fs.write' })).toThrow(/fs\.write is not a tool name/);
    expect(() => loadConfig({ TOOL_APPROVAL_TIMEOUT_MS: '10' })).toThrow(ConfigError);
  });
});

describe('parseApprovalBody', () => {
  it('takes a decision and refuses anything else with a 400 naming the field', () => {
    expect(parseApprovalBody({ toolCallId: 'c', approved: false, reason: 'no' })).toEqual({
      toolCallId: 'c',
      approved: false,
      reason: 'no',
    });
    for (const bad of [null, {}, { toolCallId: '', approved: true }, { toolCallId: 'c', approved: 1 }]) {
      expect(() => parseApprovalBody(bad)).toThrow(HttpError);
    }
    expect(() => parseApprovalBody({ toolCallId: 'c' })).toThrow(/approved/);
    expect(() => parseApprovalBody({ toolCallId: 'c', approved: true, why: 1 })).toThrow(/unknown field: why/);
  });
});

describe('PendingApprovals', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('takes one decision per waiting call, and none for a call that is not waiting', () => {
    const approvals = new PendingApprovals({ timeoutMs: 60_000 });
    const seen = collect(approvals);
    expect(approvals.decide({ toolCallId: 'a', approved: true })).toBe('not-waiting');
    approvals.track(request('a'));
    expect(approvals.decide({ toolCallId: 'a', approved: true })).toBe('decided');
    expect(approvals.decide({ toolCallId: 'a', approved: false })).toBe('not-waiting');
    approvals.track(request('b'));
    approvals.track(result('b'));
    expect(approvals.decide({ toolCallId: 'b', approved: true })).toBe('not-waiting');
    expect(seen).toEqual([{ toolCallId: 'a', approved: true }]);
    approvals.close();
  });

  it('denies a call nobody decides on at its deadline, and never after a decision or the end', () => {
    vi.useFakeTimers();
    const approvals = new PendingApprovals({ timeoutMs: 1_000 });
    const seen = collect(approvals);
    approvals.track(request('late'));
    approvals.track(request('decided'));
    approvals.decide({ toolCallId: 'decided', approved: true });
    vi.advanceTimersByTime(999);
    expect(seen).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(seen).toEqual([
      { toolCallId: 'decided', approved: true },
      { toolCallId: 'late', approved: false, reason: 'no decision within 1000 ms' },
    ]);
    approvals.track(request('orphan'));
    approvals.close();
    vi.advanceTimersByTime(5_000);
    expect(seen).toHaveLength(2);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('with denyAll, denies every request at once', () => {
    const approvals = new PendingApprovals({ timeoutMs: 1_000, denyAll: 'nobody can answer' });
    const seen = collect(approvals);
    approvals.track(request('a'));
    expect(seen).toEqual([{ toolCallId: 'a', approved: false, reason: 'nobody can answer' }]);
    expect(approvals.decide({ toolCallId: 'a', approved: true })).toBe('not-waiting');
    approvals.close();
  });
});

describe('ApprovalDesk', () => {
  function messenger(running: Set<string>) {
    const handlers: Array<(streamId: string, message: string) => void> = [];
    const sent: Array<[string, string]> = [];
    const store: RunMessenger = {
      async sendToRun(streamId, message) {
        if (!running.has(streamId)) return false;
        sent.push([streamId, message]);
        for (const handler of handlers) handler(streamId, message);
        return true;
      },
      onRunMessage(handler) {
        handlers.push(handler);
        return () => undefined;
      },
    };
    return { store, sent };
  }

  it('decides here for its own generations, forwards others through the store, and forgets closed ones', async () => {
    const refused: string[] = [];
    const here = new ApprovalDesk(undefined, (_id, reason) => refused.push(reason));
    const approvals = here.open('s1', { timeoutMs: 60_000 });
    const seen = collect(approvals);
    approvals.track(request('c1'));
    expect(await here.decide('s1', { toolCallId: 'c1', approved: true })).toBe('decided');
    expect(await here.decide('s1', { toolCallId: 'c1', approved: true })).toBe('not-waiting');
    expect(await here.decide('s2', { toolCallId: 'c1', approved: true })).toBe('not-found');
    approvals.close();
    expect(await here.decide('s1', { toolCallId: 'c1', approved: true })).toBe('not-found');
    expect(seen).toHaveLength(1);
  });

  it('an instance that runs the generation takes a forwarded decision; a bad or stale one is reported', async () => {
    const running = new Set(['remote']);
    const { store } = messenger(running);
    const refused: string[] = [];
    const runner = new ApprovalDesk(store, (_id, reason) => refused.push(reason));
    const asker = new ApprovalDesk(store, () => undefined);
    const approvals = runner.open('remote', { timeoutMs: 60_000 });
    const seen = collect(approvals);
    approvals.track(request('c1'));
    // `asker` has no such generation of its own: it forwards.
    expect(await asker.decide('remote', { toolCallId: 'c1', approved: false, reason: 'no' })).toBe('forwarded');
    expect(seen).toEqual([{ toolCallId: 'c1', approved: false, reason: 'no' }]);
    await store.sendToRun('remote', JSON.stringify({ toolCallId: 'c1', approved: true }));
    await store.sendToRun('remote', '{not json');
    expect(refused).toEqual([
      'a forwarded decision on c1: that call is not waiting',
      'a forwarded decision was not a decision',
    ]);
    expect(await asker.decide('gone', { toolCallId: 'c1', approved: true })).toBe('not-found');
    approvals.close();
  });
});
