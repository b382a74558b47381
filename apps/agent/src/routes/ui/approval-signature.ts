import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** What an approval request names: the call, its tool and the arguments it would run with. */
export interface ApprovalClaim {
  approvalId: string;
  toolCallId: string;
  toolName: string;
  input: unknown;
}

/**
 * Signs the approval requests the agent sends over the UI message stream and checks the ones that come back, so an
 * approved call in a request body is one this agent asked about, with the same tool and arguments.
 */
export interface ApprovalSigner {
  sign(claim: ApprovalClaim): string;
  verify(claim: ApprovalClaim & { signature: string | undefined }): boolean;
}

/** JSON with the keys of every object sorted: the same value gives the same text on both sides of the wire. */
function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value ?? null);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.keys(value)
    .sort()
    .filter((key) => (value as Record<string, unknown>)[key] !== undefined)
    .map((key) => `${JSON.stringify(key)}:${canonicalJson((value as Record<string, unknown>)[key])}`);
  return `{${entries.join(',')}}`;
}

/**
 * An HMAC-SHA256 signer of approval requests (the AI SDK's `experimental_toolApprovalSecret` scheme: approval id,
 * call id, tool name and a digest of the canonical input). Without `secret` it draws one at startup, so an approval
 * asked by one process is refused by another: several agents behind one address share `TOOL_APPROVAL_SECRET`.
 *
 * @example
 * ```ts
 * const signer = approvalSigner(config.toolApprovalSecret);
 * const signature = signer.sign({ approvalId: 'approval-call_1', toolCallId: 'call_1', toolName: 'clock', input: {} });
 * signer.verify({ approvalId: 'approval-call_1', toolCallId: 'call_1', toolName: 'clock', input: {}, signature }); // true
 * ```
 */
export function approvalSigner(secret: string | undefined): ApprovalSigner {
  const key = secret ?? randomBytes(32);
  const sign = ({ approvalId, toolCallId, toolName, input }: ApprovalClaim) => {
    const digest = createHash('sha256').update(canonicalJson(input)).digest('base64url');
    return createHmac('sha256', key).update(`${approvalId}\n${toolCallId}\n${toolName}\n${digest}`).digest('base64url');
  };
  return {
    sign,
    verify({ signature, ...claim }) {
      if (signature === undefined) return false;
      const expected = Buffer.from(sign(claim));
      const given = Buffer.from(signature);
      return given.length === expected.length && timingSafeEqual(given, expected);
    },
  };
}

/** The approval id of a call's request: one per call, the same in a replay of the stream. */
export const approvalIdOf = (toolCallId: string) => `approval-${toolCallId}`;
