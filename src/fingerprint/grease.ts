/**
 * GREASE values (RFC 8701): 0x0A0A, 0x1A1A, ... 0xFAFA. Clients sprinkle them
 * into cipher suites, extensions, groups and versions so servers learn to ignore
 * unknown values; fingerprints must drop them or every Chrome connection would
 * hash differently.
 */
export function isGrease(value: number): boolean {
  return (value & 0x0f0f) === 0x0a0a && (value >> 8) === (value & 0xff);
}
