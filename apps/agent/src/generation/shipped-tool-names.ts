/** The tools the agent ships (`AGENT_TOOLS`): a clock and a calculator. */
export const SHIPPED_TOOL_NAMES = ['clock', 'calculator'] as const;

export type ShippedToolName = (typeof SHIPPED_TOOL_NAMES)[number];
