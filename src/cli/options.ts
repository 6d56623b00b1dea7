/** Parsers for command-line option values; a bad value is a UsageError (exit 2). */
import { type HostPort, parseHostPort } from '../proxy/address.js';
import { UsageError } from './input.js';

export function hostPort(flag: string): (value: string) => HostPort {
  return (value) => {
    const hp = parseHostPort(value);
    if (!hp) throw new UsageError(`${flag} expects HOST:PORT (e.g. 127.0.0.1:8443 or [::1]:8443), got '${value}'`);
    return hp;
  };
}

export function positiveInt(flag: string, max = 2 ** 31 - 1): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!/^\d+$/.test(value) || n < 1 || n > max) throw new UsageError(`${flag} expects a whole number from 1 to ${max}, got '${value}'`);
    return n;
  };
}

export function oneOf<T extends string>(flag: string, allowed: readonly T[]): (value: string) => T {
  return (value) => {
    if (!(allowed as readonly string[]).includes(value)) throw new UsageError(`${flag} expects one of ${allowed.join(', ')}, got '${value}'`);
    return value as T;
  };
}
