/**
 * The report: connection records in, one summary out, in memory bounded by the
 * number of distinct values kept (TopCounter) and histogram buckets
 * (QuantileSketch), never by the length of the log.
 */
import { CAUSES, OUTCOMES } from '../diagnose/vocabulary.js';
import { type ConnectionFacts, classifyLine } from './log-line.js';
import { type Percentiles, QuantileSketch } from './quantiles.js';
import { DEFAULT_MAX_KEYS, percent, TopCounter, type TopTable } from './top-counter.js';

/** Version of the JSON document's shape; raised only by a change that breaks readers. */
export const REPORT_VERSION = 1;

/** A count of connections under one outcome or cause name. */
export interface CountRow {
  name: string;
  count: number;
  /** Of `connections.total` (of the group's count inside a failure group), one decimal. */
  percent: number;
}

/** The connections that failed for one reason. */
export interface FailureGroup {
  /** `cause` groups follow SPEC's cause; failures with no cause (not_tls, timeouts, upstream_unreachable) are grouped by outcome. */
  by: 'cause' | 'outcome';
  name: string;
  count: number;
  /** Of all connections. */
  percent: number;
  /** How these connections ended, most frequent first. */
  outcomes: CountRow[];
  /** Over connections that sent a ClientHello; a null value is a hello without SNI. */
  sni: TopTable;
  /** A null value is a record without a client address. */
  clients: TopTable;
  /** Over connections that sent a ClientHello; null for an SSLv2 hello. */
  ja4: TopTable;
  /** The first connection of the group that says what to do: its hint, or for cause-less outcomes the reason (not-TLS reason, upstream error). */
  example: { id: string | null; time: string | null; hint: string | null; detail: string | null };
}

/** `tlspeek report --json`: a stable document. Every key is always present. */
export interface ReportJson {
  reportVersion: typeof REPORT_VERSION;
  /** The file read, or "-" for stdin. */
  source: string;
  lines: {
    /** Every line read, blank ones included. */
    read: number;
    blank: number;
    /** Lines with `"msg":"connection"` and an outcome, before filters. */
    connectionRecords: number;
    /** Connection records left out by --since / --outcome. */
    filteredOut: number;
    skipped: {
      total: number;
      notJson: number;
      /** JSON lines with another `msg` (start-up, warnings, debug). */
      otherMessages: number;
      /** `"msg":"connection"` with no string `outcome`. */
      malformed: number;
    };
  };
  filters: { since: string | null; outcomes: string[] | null };
  /** ISO times of the earliest and latest connection counted; null when none carried a time. */
  time: { first: string | null; last: string | null };
  connections: { total: number; established: number; failed: number };
  /** Every SPEC outcome in SPEC order (zeros included), then any other outcome names seen. */
  outcomes: CountRow[];
  /** Every SPEC cause in SPEC order (zeros included), then any other cause names seen. */
  causes: CountRow[];
  /** One group per failing cause (SPEC order), then per cause-less failing outcome (SPEC order), then others; only groups with connections. */
  failures: FailureGroup[];
  /** What the server negotiated on established connections. */
  established: { versions: TopTable; cipherSuites: TopTable };
  /** Over every counted connection that carried the field (handshakeMs is set once a handshake completed). */
  timings: { handshakeMs: Percentiles; durationMs: Percentiles };
}

export interface ReportOptions {
  /** Count only connections at or after this epoch-ms time (records without a time are left out). */
  readonly since?: number | null;
  /** Count only connections with one of these outcomes. */
  readonly outcomes?: readonly string[] | null;
  /** Rows per top table. */
  readonly top?: number;
  /** Bound on distinct values per table. */
  readonly maxKeys?: number;
}

/** More distinct group names than SPEC has are a damaged log: the rest share one group. */
const MAX_GROUPS = 32;
const OVERFLOW_GROUP = '(other)';

class GroupTally {
  count = 0;
  readonly outcomes: TopCounter;
  readonly sni: TopCounter;
  readonly clients: TopCounter;
  readonly ja4: TopCounter;
  example: FailureGroup['example'] | null = null;

  constructor(
    readonly by: FailureGroup['by'],
    readonly name: string,
    maxKeys: number,
  ) {
    this.outcomes = new TopCounter(MAX_GROUPS);
    this.sni = new TopCounter(maxKeys);
    this.clients = new TopCounter(maxKeys);
    this.ja4 = new TopCounter(maxKeys);
  }

  add(f: ConnectionFacts): void {
    this.count++;
    this.outcomes.add(f.outcome);
    this.clients.add(f.clientAddress);
    if (f.helloSeen) {
      this.sni.add(f.sni);
      this.ja4.add(f.ja4);
    }
    const explains = f.hint !== null || f.detail !== null;
    if (this.example === null || (explains && this.example.hint === null && this.example.detail === null)) {
      this.example = { id: f.id, time: iso(f.time), hint: f.hint, detail: f.detail };
    }
  }
}

/** Feed it lines with `line()`, then `build()` the document. */
export class ReportBuilder {
  private readonly since: number | null;
  private readonly outcomeFilter: ReadonlySet<string> | null;
  private readonly top: number;
  private readonly maxKeys: number;

  private read = 0;
  private blank = 0;
  private notJson = 0;
  private otherMessages = 0;
  private malformed = 0;
  private connectionRecords = 0;
  private filteredOut = 0;

  private total = 0;
  private first: number | null = null;
  private last: number | null = null;
  private readonly outcomes = new Map<string, number>(OUTCOMES.map((o) => [o, 0]));
  private readonly causes = new Map<string, number>(CAUSES.map((c) => [c, 0]));
  private readonly groups = new Map<string, GroupTally>();
  private readonly versions: TopCounter;
  private readonly cipherSuites: TopCounter;
  private readonly handshakeMs = new QuantileSketch();
  private readonly durationMs = new QuantileSketch();

  constructor(
    private readonly source: string,
    options: ReportOptions = {},
  ) {
    this.since = options.since ?? null;
    this.outcomeFilter = options.outcomes ? new Set(options.outcomes) : null;
    this.top = options.top ?? 5;
    this.maxKeys = options.maxKeys ?? DEFAULT_MAX_KEYS;
    this.versions = new TopCounter(this.maxKeys);
    this.cipherSuites = new TopCounter(this.maxKeys);
  }

  /** One line of the log, without its newline. */
  line(text: string): void {
    this.read++;
    const l = classifyLine(text);
    switch (l.kind) {
      case 'blank':
        this.blank++;
        return;
      case 'not-json':
        this.notJson++;
        return;
      case 'other':
        this.otherMessages++;
        return;
      case 'malformed':
        this.malformed++;
        return;
      case 'connection':
        this.connectionRecords++;
        if (this.keeps(l.facts)) this.count(l.facts);
        else this.filteredOut++;
        return;
    }
  }

  /** Connections counted so far that did not end `established`. */
  private get failed(): number {
    return this.total - (this.outcomes.get('established') ?? 0);
  }

  build(): ReportJson {
    const skipped = this.notJson + this.otherMessages + this.malformed;
    return {
      reportVersion: REPORT_VERSION,
      source: this.source,
      lines: {
        read: this.read,
        blank: this.blank,
        connectionRecords: this.connectionRecords,
        filteredOut: this.filteredOut,
        skipped: { total: skipped, notJson: this.notJson, otherMessages: this.otherMessages, malformed: this.malformed },
      },
      filters: { since: iso(this.since), outcomes: this.outcomeFilter ? [...this.outcomeFilter] : null },
      time: { first: iso(this.first), last: iso(this.last) },
      connections: { total: this.total, established: this.total - this.failed, failed: this.failed },
      outcomes: vocabularyRows(OUTCOMES, this.outcomes, this.total),
      causes: vocabularyRows(CAUSES, this.causes, this.total),
      failures: this.orderedGroups().map((g) => this.groupJson(g)),
      established: { versions: this.versions.table(this.top), cipherSuites: this.cipherSuites.table(this.top) },
      timings: { handshakeMs: this.handshakeMs.summary(), durationMs: this.durationMs.summary() },
    };
  }

  private keeps(f: ConnectionFacts): boolean {
    if (this.outcomeFilter && !this.outcomeFilter.has(f.outcome)) return false;
    if (this.since !== null && (f.time === null || f.time < this.since)) return false;
    return true;
  }

  private count(f: ConnectionFacts): void {
    this.total++;
    if (f.time !== null) {
      if (this.first === null || f.time < this.first) this.first = f.time;
      if (this.last === null || f.time > this.last) this.last = f.time;
    }
    bump(this.outcomes, f.outcome);
    this.handshakeMs.add(f.handshakeMs);
    this.durationMs.add(f.durationMs);
    if (f.outcome === 'established') {
      this.versions.add(f.serverVersion);
      this.cipherSuites.add(f.serverCipherSuite);
      return;
    }
    if (f.cause !== null) bump(this.causes, f.cause);
    this.group(f.cause !== null ? 'cause' : 'outcome', f.cause ?? f.outcome).add(f);
  }

  private group(by: FailureGroup['by'], name: string): GroupTally {
    const key = `${by}:${name}`;
    let g = this.groups.get(key);
    if (g !== undefined) return g;
    if (this.groups.size >= MAX_GROUPS) {
      const overflow = `outcome:${OVERFLOW_GROUP}`;
      g = this.groups.get(overflow) ?? new GroupTally('outcome', OVERFLOW_GROUP, this.maxKeys);
      this.groups.set(overflow, g);
      return g;
    }
    g = new GroupTally(by, name, this.maxKeys);
    this.groups.set(key, g);
    return g;
  }

  private orderedGroups(): GroupTally[] {
    const rank = (g: GroupTally): number => {
      const list: readonly string[] = g.by === 'cause' ? CAUSES : OUTCOMES;
      const i = list.indexOf(g.name);
      return (g.by === 'cause' ? 0 : 100) + (i < 0 ? 50 : i);
    };
    return [...this.groups.values()].sort((a, b) => rank(a) - rank(b) || b.count - a.count || (a.name < b.name ? -1 : 1));
  }

  private groupJson(g: GroupTally): FailureGroup {
    return {
      by: g.by,
      name: g.name,
      count: g.count,
      percent: percent(g.count, this.total),
      outcomes: g.outcomes.table(MAX_GROUPS).top.map((r) => ({ name: r.value ?? '', count: r.count, percent: r.percent })),
      sni: g.sni.table(this.top),
      clients: g.clients.table(this.top),
      ja4: g.ja4.table(this.top),
      example: g.example ?? { id: null, time: null, hint: null, detail: null },
    };
  }
}

/** The vocabulary in its order, zeros included, then names outside it by count. */
function vocabularyRows(vocabulary: readonly string[], counts: ReadonlyMap<string, number>, total: number): CountRow[] {
  const known = new Set(vocabulary);
  const extra = [...counts.keys()].filter((n) => !known.has(n)).sort((a, b) => (counts.get(b) ?? 0) - (counts.get(a) ?? 0) || (a < b ? -1 : 1));
  return [...vocabulary, ...extra].map((name) => {
    const count = counts.get(name) ?? 0;
    return { name, count, percent: percent(count, total) };
  });
}

/**
 * Outcome and cause names come from tlspeek itself, but a damaged or
 * hand-made log could carry any number of them: past the bound the rest are
 * counted under one name. The maps start with the vocabulary, so its names
 * always count as themselves.
 */
function bump(counts: Map<string, number>, name: string): void {
  const key = counts.has(name) || counts.size < MAX_GROUPS ? name : OVERFLOW_GROUP;
  counts.set(key, (counts.get(key) ?? 0) + 1);
}

function iso(ms: number | null): string | null {
  if (ms === null) return null;
  const d = new Date(ms);
  return Number.isNaN(d.getTime()) ? null : d.toISOString();
}
