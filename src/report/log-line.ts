/**
 * One line of a tlspeek log, classified: a connection record (SPEC "The
 * connection record"), another pino line, or not JSON at all. Only the fields
 * the report uses are read, and each is checked for its type, so a record from
 * an older or newer tlspeek, or one edited by hand, still counts with whatever
 * it has.
 */

/** What the report needs from one connection record; absent or mistyped fields are null. */
export interface ConnectionFacts {
  /** Epoch milliseconds (pino's default `time`; an ISO string is accepted too). */
  readonly time: number | null;
  readonly id: string | null;
  readonly outcome: string;
  readonly cause: string | null;
  readonly hint: string | null;
  /** Why the record has no cause, for outcomes that need none: the not-TLS reason or the upstream error. */
  readonly detail: string | null;
  readonly clientAddress: string | null;
  /** False when the record has no `hello` (not TLS, hello timeout): SNI and JA4 are then unknown, not absent. */
  readonly helloSeen: boolean;
  readonly sni: string | null;
  readonly ja4: string | null;
  readonly serverVersion: string | null;
  readonly serverCipherSuite: string | null;
  readonly handshakeMs: number | null;
  readonly durationMs: number | null;
}

export type LogLine =
  | { readonly kind: 'blank' }
  | { readonly kind: 'not-json' }
  /** JSON, but not a connection record (start-up, warnings, debug lines). */
  | { readonly kind: 'other' }
  /** `"msg":"connection"` without a string `outcome`: nothing to classify it by. */
  | { readonly kind: 'malformed' }
  | { readonly kind: 'connection'; readonly facts: ConnectionFacts };

type Json = Record<string, unknown>;

/** Classifies one line (without its newline); never throws. */
export function classifyLine(line: string): LogLine {
  const text = line.trim();
  if (text === '') return { kind: 'blank' };
  // Collectors often prefix each line (`kubectl logs --timestamps`, syslog): parse from the first brace.
  const brace = text.indexOf('{');
  if (brace < 0) return { kind: 'not-json' };
  let parsed: unknown;
  try {
    parsed = JSON.parse(text.slice(brace));
  } catch {
    return { kind: 'not-json' };
  }
  if (!isObject(parsed)) return { kind: 'not-json' };
  if (parsed.msg !== 'connection') return { kind: 'other' };
  const outcome = str(parsed.outcome);
  if (outcome === null) return { kind: 'malformed' };
  return { kind: 'connection', facts: connectionFacts(parsed, outcome) };
}

function connectionFacts(r: Json, outcome: string): ConnectionFacts {
  const hello = obj(r.hello);
  const server = obj(r.server);
  const notTls = obj(r.notTls);
  const err = obj(r.err);
  return {
    time: time(r.time),
    id: str(r.id),
    outcome,
    cause: str(r.cause),
    hint: str(r.hint),
    detail: str(notTls?.reason) ?? str(err?.message) ?? str(err?.code),
    clientAddress: str(obj(r.client)?.address),
    helloSeen: hello !== null,
    sni: str(hello?.sni),
    ja4: str(hello?.ja4),
    serverVersion: str(server?.version),
    serverCipherSuite: str(server?.cipherSuite),
    handshakeMs: num(r.handshakeMs),
    durationMs: num(r.durationMs),
  };
}

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const obj = (v: unknown): Json | null => (isObject(v) ? v : null);
const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

function time(v: unknown): number | null {
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (typeof v === 'string') {
    const t = Date.parse(v);
    return Number.isNaN(t) ? null : t;
  }
  return null;
}
