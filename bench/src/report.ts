export function writeReport(_r: unknown, _d: string): string[] {
  return [];
}
