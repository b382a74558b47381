import type { LoopChunk } from '@rxllm/core';
import type { ToolApprovalBody } from '@rxllm/protocol';
import type { Tool, ToolApprovalDecision, ToolSet } from '@rxllm/tools';
import { Subject } from 'rxjs';
import { z } from 'zod';
import type { AgentConfig } from '../config.js';
import { HttpError } from '../http/errors.js';
import { describeIssues } from './chat-request.js';

/** Caps of a decision's fields (a call id is a vendor's, a reason goes to the model). */
const MAX_TOOL_CALL_ID_CHARS = 256;
const MAX_DENIAL_REASON_CHARS = 2_000;

/**
 * The body of `POST /chat/:streamId/approve` and the fields of a WebSocket `approve` frame.
 *
 * @example
 * ```ts
 * approvalBodySchema.parse({ toolCallId: 'call_1', approved: true }); // { toolCallId: 'call_1', approved: true }
 * ```
 */
export const approvalBodySchema = z.strictObject({
  toolCallId: z.string().min(1).max(MAX_TOOL_CALL_ID_CHARS),
  approved: z.boolean(),
  reason: z.string().max(MAX_DENIAL_REASON_CHARS).optional(),
}) satisfies z.ZodType<ToolApprovalBody>;

/** The body cap of `POST /chat/:streamId/approve`: a call id and a reason, with room to spare. */
export const MAX_APPROVAL_BODY_BYTES = 16 * 1024;

/**
 * Validates a decision (the approve route's body, a WebSocket `approve` frame without its `type`); a 400
 * {@link HttpError} saying what is wrong otherwise.
 *
 * @example
 * ```ts
 * parseApprovalBody({ toolCallId: 'call_1', approved: 'yes' }); // throws 400: "approved: Invalid input: expected boolean…"
 * ```
 */
export function parseApprovalBody(input: unknown): ToolApprovalDecision {
  const result = approvalBodySchema.safeParse(input);
  if (!result.success) throw new HttpError({ kind: 'invalid-request', message: describeIssues(result.error) });
  return result.data;
}

/**
 * `tools` with `TOOL_APPROVAL` applied: the named tools (or all) ask before every call.
 *
 * @example
 * ```ts
 * withApprovals({ clock, calculator }, ['calculator']).calculator.asksApproval; // true
 * ```
 */
export function withApprovals(tools: ToolSet, approval: AgentConfig['toolApproval']): ToolSet {
  const asks = (name: string) => approval === 'all' || approval.includes(name);
  return Object.fromEntries(
    Object.entries(tools).map(([name, entry]): [string, Tool] => [
      name,
      asks(name) ? { ...entry, asksApproval: true, needsApproval: () => true } : entry,
    ]),
  );
}

/** True when some tool of the set may wait for a decision. */
export function asksApproval(tools: ToolSet): boolean {
  return Object.values(tools).some((entry) => entry.asksApproval);
}

/** How long a call waits for its decision; or the reason every call is denied at once (nobody can answer). */
export interface PendingApprovalsOptions {
  timeoutMs: number;
  denyAll?: string | undefined;
  /** Decisions taken before the loop asks (a UI stream continuation): such a call does not wait. */
  decided?: ReadonlyMap<string, ToolApprovalDecision> | undefined;
}

/**
 * The approvals of one generation's tool loop: the decisions Observable `runTools` reads, the calls waiting now
 * (from the loop's `tool-approval-request` and `tool-result` chunks), and a deadline per waiting call after which it
 * counts as denied, so a generation nobody decides on does not wait forever.
 *
 * @example
 * ```ts
 * const approvals = new PendingApprovals({ timeoutMs: 300_000 });
 * runTools({ provider, request, tools, approvals: approvals.decisions }).pipe(tap((chunk) => approvals.track(chunk)));
 * approvals.decide({ toolCallId: 'call_1', approved: true }); // 'decided'
 * ```
 */
export class PendingApprovals {
  private readonly subject = new Subject<ToolApprovalDecision>();
  private readonly waiting = new Map<string, NodeJS.Timeout>();
  readonly decisions = this.subject.asObservable();

  constructor(
    private readonly options: PendingApprovalsOptions,
    private readonly onClose: () => void = () => undefined,
  ) {}

  /** Follows the loop: a request starts waiting (and its deadline), a result ends it. */
  track(chunk: LoopChunk): void {
    if (chunk.type === 'tool-approval-request') {
      const { timeoutMs, denyAll, decided } = this.options;
      const known = decided?.get(chunk.toolCallId);
      if (known) {
        this.subject.next(known);
        return;
      }
      if (denyAll !== undefined) {
        this.subject.next({ toolCallId: chunk.toolCallId, approved: false, reason: denyAll });
        return;
      }
      const timer = setTimeout(() => {
        this.decide({
          toolCallId: chunk.toolCallId,
          approved: false,
          reason: `no decision within ${timeoutMs} ms`,
        });
      }, timeoutMs);
      timer.unref();
      this.waiting.set(chunk.toolCallId, timer);
    } else if (chunk.type === 'tool-result') {
      this.settle(chunk.toolCallId);
    }
  }

  /** How many calls wait for a decision now. */
  get waitingCount(): number {
    return this.waiting.size;
  }

  /** Hands a decision to the waiting call; a call that is not waiting (any more) refuses it. */
  decide(decision: ToolApprovalDecision): 'decided' | 'not-waiting' {
    if (!this.waiting.has(decision.toolCallId)) return 'not-waiting';
    this.settle(decision.toolCallId);
    this.subject.next(decision);
    return 'decided';
  }

  /** The generation is over: no more waiting, no more deadlines. */
  close(): void {
    for (const timer of this.waiting.values()) clearTimeout(timer);
    this.waiting.clear();
    this.subject.complete();
    this.onClose();
  }

  private settle(toolCallId: string): void {
    clearTimeout(this.waiting.get(toolCallId));
    this.waiting.delete(toolCallId);
  }
}

/** How `POST /chat/:streamId/approve` ends: taken here, sent to the instance that runs it, or refused. */
export type DeskOutcome = 'decided' | 'forwarded' | 'not-found' | 'not-waiting';

/** The part of the generation store the desk uses to reach other instances. */
export interface RunMessenger {
  sendToRun(streamId: string, message: string): Promise<boolean>;
  onRunMessage(handler: (streamId: string, message: string) => void): () => void;
}

/**
 * Every generation of this instance that may wait for approvals, by stream id. A decision for a generation that runs
 * elsewhere goes through the shared store (`messenger`: resumable streams on), and the instance that runs it takes it.
 *
 * @example
 * ```ts
 * const desk = new ApprovalDesk(store, logger);
 * const approvals = desk.open(streamId, { timeoutMs: 300_000 }); // hand approvals.decisions to runTools
 * await desk.decide(streamId, { toolCallId: 'call_1', approved: true }); // 'decided'
 * ```
 */
export class ApprovalDesk {
  private readonly byStream = new Map<string, PendingApprovals>();

  constructor(
    private readonly messenger: RunMessenger | undefined,
    private readonly onRefused: (streamId: string, reason: string) => void,
  ) {
    messenger?.onRunMessage((streamId, message) => this.takeForwarded(streamId, message));
  }

  /** The approvals of a generation starting here; closing them (the loop's end) forgets the generation. */
  open(streamId: string, options: PendingApprovalsOptions): PendingApprovals {
    const approvals = new PendingApprovals(options, () => {
      if (this.byStream.get(streamId) === approvals) this.byStream.delete(streamId);
    });
    this.byStream.set(streamId, approvals);
    return approvals;
  }

  async decide(streamId: string, decision: ToolApprovalDecision): Promise<DeskOutcome> {
    const local = this.byStream.get(streamId);
    if (local) return local.decide(decision);
    if (!this.messenger) return 'not-found';
    return (await this.messenger.sendToRun(streamId, JSON.stringify(decision))) ? 'forwarded' : 'not-found';
  }

  private takeForwarded(streamId: string, message: string): void {
    const local = this.byStream.get(streamId);
    if (!local) return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(message);
    } catch {
      parsed = undefined;
    }
    const decision = approvalBodySchema.safeParse(parsed);
    if (!decision.success) {
      this.onRefused(streamId, 'a forwarded decision was not a decision');
      return;
    }
    if (local.decide(decision.data) === 'not-waiting') {
      this.onRefused(streamId, `a forwarded decision on ${decision.data.toolCallId}: that call is not waiting`);
    }
  }
}
