import { LLMError } from '@rxllm/core';
import { defer, filter, type Observable, of, Subject, type Subscription, take, throwError, throwIfEmpty } from 'rxjs';

/**
 * A decision on a `tool-approval-request`, matched to its call by `toolCallId`. `reason` travels to the model with
 * a denial.
 *
 * @example
 * ```ts
 * approvals.next({ toolCallId: 'call_1', approved: false, reason: 'not on a Friday' });
 * ```
 */
export interface ToolApprovalDecision {
  toolCallId: string;
  approved: boolean;
  reason?: string;
}

/**
 * The decisions of one loop run. It subscribes to the decision source when the loop starts (so a decision sent
 * synchronously in answer to the request chunk is never missed), keeps every decision by call id (one may come
 * before its request), and unsubscribes when the loop ends.
 */
export class DecisionStore {
  private readonly decisions = new Map<string, ToolApprovalDecision>();
  private readonly arrivals = new Subject<ToolApprovalDecision>();
  private ended: { error: unknown } | 'complete' | undefined;
  private readonly subscription: Subscription;

  constructor(
    source: Observable<ToolApprovalDecision>,
    private readonly provider: string,
  ) {
    this.subscription = source.subscribe({
      next: (decision) => {
        if (!this.decisions.has(decision.toolCallId)) this.decisions.set(decision.toolCallId, decision);
        this.arrivals.next(decision);
      },
      error: (error: unknown) => {
        this.ended = { error };
        this.arrivals.error(error);
      },
      complete: () => {
        this.ended = 'complete';
        this.arrivals.complete();
      },
    });
  }

  /**
   * The decision on one call, once it is there. Fails when the source fails, and with an `invalid-request`
   * `LLMError` when the source completes without deciding on the call.
   */
  decisionFor(toolCallId: string, name: string): Observable<ToolApprovalDecision> {
    return defer(() => {
      const known = this.decisions.get(toolCallId);
      if (known) return of(known);
      const noDecision = () =>
        new LLMError({
          kind: 'invalid-request',
          provider: this.provider,
          message: `the approvals completed without a decision on the call ${toolCallId} of ${name}`,
          details: { toolCallId, toolName: name },
        });
      if (this.ended === 'complete') return throwError(noDecision);
      if (this.ended) {
        const { error } = this.ended;
        return throwError(() => error);
      }
      return this.arrivals.pipe(
        filter((decision) => decision.toolCallId === toolCallId),
        take(1),
        throwIfEmpty(noDecision),
      );
    });
  }

  close(): void {
    this.subscription.unsubscribe();
  }
}
