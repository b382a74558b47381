/** Why a piece of the agent's wire could not be decoded. */
export type ProtocolErrorReason = 'not-json' | 'unknown-shape' | 'too-large';

const marker = Symbol.for('rxllm.protocol.error');

/**
 * What the decoders throw for bytes that are not the agent's protocol: an event that is not JSON, JSON that is no
 * `AgentEvent`, or an SSE event over the size limit. Transport failures (a reset connection) are not wrapped.
 *
 * @example
 * ```ts
 * try {
 *   decodeWebSocketFrame('not json');
 * } catch (error) {
 *   if (ProtocolError.isInstance(error)) console.error(error.reason); // 'not-json'
 * }
 * ```
 */
export class ProtocolError extends Error {
  override readonly name = 'ProtocolError';
  readonly reason: ProtocolErrorReason;
  /** Brand read by {@link ProtocolError.isInstance}. */
  readonly [marker] = true;

  constructor(reason: ProtocolErrorReason, message: string) {
    super(message);
    this.reason = reason;
  }

  /** True for a `ProtocolError`, also one from another copy of this package. */
  static isInstance(value: unknown): value is ProtocolError {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[marker] === true;
  }
}
