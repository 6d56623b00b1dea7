/**
 * Chain order and trust (RFC 5280 §6, RFC 5246 §7.4.2, RFC 8446 §4.4.2).
 *
 * TLS 1.2 requires the server to send its chain leaf first, each certificate
 * followed by its issuer; TLS 1.3 only requires the leaf first. OpenSSL, Java
 * and Node build a path from whatever was sent, in any order, looking in the
 * trust store first ("trusted first", OpenSSL's default since 1.1.0), so an
 * out-of-order chain still works for them while stricter stacks (older
 * GnuTLS, embedded TLS libraries) fail it. `checkTrust` therefore reports
 * both: `trusted` (strict order) and `trustedIgnoringOrder` (what those
 * path builders conclude).
 */
import { rootCertificates } from 'node:tls';
import { ChainIndex, type Finding } from './findings.js';
import { parseCertificate, pemToDer, verifiesWith, type ParsedCertificate } from './parse.js';

/** Trust anchors, indexed for issuer lookup. */
export interface TrustStore {
  readonly roots: readonly ParsedCertificate[];
  /** The store's certificates that issued `cert` (name, key identifier and signature all check out). */
  issuersOf(cert: ParsedCertificate): readonly ParsedCertificate[];
  /** True when these exact bytes are in the store. */
  has(cert: ParsedCertificate): boolean;
  /**
   * True for roots an operator named (--upstream-ca), false for Node's public
   * bundle. With named roots, a leaf whose issuer is missing lacks an
   * intermediate; against the public bundle, an AIA-less leaf is more likely
   * from a private CA the client does not trust.
   */
  readonly explicit: boolean;
}

/** A trust store from PEM text: one bundle, or a list of PEM strings (like `tls.rootCertificates`). Unreadable blocks are skipped. */
export function loadTrustStore(pem: string | readonly string[], explicit = true): TrustStore {
  const texts = typeof pem === 'string' ? [pem] : pem;
  const roots: ParsedCertificate[] = [];
  for (const text of texts) {
    for (const der of pemToDer(text)) {
      const p = parseCertificate(der);
      if (p.ok) roots.push(p);
    }
  }
  const bySubject = new Map<string, ParsedCertificate[]>();
  for (const r of roots) bySubject.set(r.subjectKey, [...(bySubject.get(r.subjectKey) ?? []), r]);
  const hashes = new Set(roots.map((r) => r.sha256));
  return {
    roots,
    issuersOf: (cert) => (bySubject.get(cert.issuerKey) ?? []).filter((r) => isIssuedBy(cert, r)),
    has: (cert) => hashes.has(cert.sha256),
    explicit,
  };
}

let systemStore: TrustStore | undefined;

/** Node's bundled Mozilla roots (`tls.rootCertificates`), parsed once. */
export function systemTrustStore(): TrustStore {
  systemStore ??= loadTrustStore(rootCertificates, false);
  return systemStore;
}

/** Why `parent` did not issue `child`, or null when it did. */
export function issuerMismatch(child: ParsedCertificate, parent: ParsedCertificate): 'issuer_name' | 'key_identifier' | 'signature' | null {
  if (child.issuerKey !== parent.subjectKey) return 'issuer_name';
  // X509_check_issued: names, authority/subject key identifiers, keyCertSign.
  if (!child.x509.checkIssued(parent.x509)) return 'key_identifier';
  if (!verifiesWith(child.x509, parent.x509)) return 'signature';
  return null;
}

export function isIssuedBy(child: ParsedCertificate, parent: ParsedCertificate): boolean {
  return child !== parent && issuerMismatch(child, parent) === null;
}

/** Reports the first certificate not issued by the one sent after it; empty when the order holds. */
export function checkChainOrder(chain: readonly ParsedCertificate[], index = new ChainIndex(chain)): Finding[] {
  for (let i = 0; i + 1 < chain.length; i++) {
    const cert = chain[i]!;
    const next = chain[i + 1]!;
    const reason = issuerMismatch(cert, next);
    if (reason !== null) return [{ kind: 'chain_order', cert: index.ref(cert), next: index.ref(next), reason }];
  }
  return [];
}

export interface TrustCheck {
  /** The chain, in the order sent, leads to a trust anchor. */
  readonly trusted: boolean;
  /** Some path through the sent certificates, in any order, leads to a trust anchor. */
  readonly trustedIgnoringOrder: boolean;
  /** The sent certificates on that path, leaf first; on failure, the path as far as it goes. */
  readonly path: readonly ParsedCertificate[];
  /** The store certificate the path ends at; null when untrusted. */
  readonly anchor: ParsedCertificate | null;
  /** Empty when `trusted`; otherwise one of issuer_missing, chain_out_of_order, self_signed_leaf, unknown_root. */
  readonly findings: readonly Finding[];
}

interface Path {
  readonly certs: readonly ParsedCertificate[];
  readonly anchor: ParsedCertificate;
}

/** Does the chain (leaf first) lead to a root in `roots` (default: Node's bundled roots)? If not, why not. */
export function checkTrust(
  chain: readonly ParsedCertificate[],
  roots: TrustStore = systemTrustStore(),
  index = new ChainIndex(chain),
): TrustCheck {
  const leaf = chain[0];
  if (leaf === undefined) return { trusted: false, trustedIgnoringOrder: false, path: [], anchor: null, findings: [{ kind: 'no_certificate' }] };
  const builder = new PathBuilder(chain, roots);

  const strict = builder.strict();
  if (strict !== null) return { trusted: true, trustedIgnoringOrder: true, path: strict.certs, anchor: strict.anchor, findings: [] };

  const relaxed = builder.search(leaf, new Set([leaf]));
  if (relaxed !== null) {
    const certs = relaxed.certs;
    // The first step of the path that does not go to the very next certificate sent.
    const sentAt = (c: ParsedCertificate): number => index.indexOf(c) ?? -2;
    let k = 0;
    while (k + 1 < certs.length && sentAt(certs[k + 1]!) === sentAt(certs[k]!) + 1) k++;
    return {
      trusted: false,
      trustedIgnoringOrder: true,
      path: certs,
      anchor: relaxed.anchor,
      findings: [{ kind: 'chain_out_of_order', cert: index.ref(certs[k]!), issuerCert: index.ref(certs[k + 1] ?? relaxed.anchor) }],
    };
  }

  // Walk as far as the sent certificates go, preferring the order sent.
  const walked: ParsedCertificate[] = [leaf];
  for (;;) {
    const top = walked[walked.length - 1]!;
    const next = chain.find((c) => !walked.includes(c) && builder.issued(top, c));
    if (next === undefined) break;
    walked.push(next);
  }
  // Name what the walk ended at. OpenSSL reports all of these as "unable to get
  // local issuer certificate" (or 18/19 for self-signed); the distinction is
  // for the hint. A sent intermediate with no AIA caIssuers URL is how private
  // CAs look (public CAs publish their issuers), so the server most likely sent
  // all it should and the client lacks the private root: unknown_root, not
  // issuer_missing. Servers must send intermediates; they need not send roots.
  // The same holds for an AIA-less leaf whose issuer nobody sent, unless the
  // operator named the roots (then the link that is missing is an intermediate).
  const top = walked[walked.length - 1]!;
  const ref = index.ref(top);
  let finding: Finding;
  if (top.selfSigned) {
    finding = top === leaf ? { kind: 'self_signed_leaf', cert: ref } : { kind: 'unknown_root', cert: ref, issuer: top.issuer, selfSigned: true };
  } else if (top.caIssuersUrl === null && (top === leaf ? !roots.explicit : top.isCA)) {
    finding = { kind: 'unknown_root', cert: ref, issuer: top.issuer, selfSigned: false };
  } else {
    finding = { kind: 'issuer_missing', cert: ref, issuer: top.issuer, caIssuersUrl: top.caIssuersUrl };
  }
  return { trusted: false, trustedIgnoringOrder: false, path: walked, anchor: null, findings: [finding] };
}

/** Most issuer tests one path search may run: a hostile chain of look-alike CAs must not make it exponential. */
const SEARCH_BUDGET = 256;

class PathBuilder {
  private readonly memo = new Map<ParsedCertificate, Map<ParsedCertificate, boolean>>();
  private budget = SEARCH_BUDGET;

  constructor(
    private readonly chain: readonly ParsedCertificate[],
    private readonly roots: TrustStore,
  ) {}

  issued(child: ParsedCertificate, parent: ParsedCertificate): boolean {
    let row = this.memo.get(child);
    if (row === undefined) this.memo.set(child, (row = new Map<ParsedCertificate, boolean>()));
    let v = row.get(parent);
    if (v === undefined) row.set(parent, (v = isIssuedBy(child, parent)));
    return v;
  }

  /** The anchor for `cert` when it is in the store or the store holds its issuer. */
  anchorFor(cert: ParsedCertificate): ParsedCertificate | null {
    if (this.roots.has(cert)) return cert;
    return this.roots.issuersOf(cert)[0] ?? null;
  }

  strict(): Path | null {
    for (let i = 0; i < this.chain.length; i++) {
      const cert = this.chain[i]!;
      const anchor = this.anchorFor(cert);
      if (anchor !== null) return { certs: this.chain.slice(0, i + 1), anchor };
      const next = this.chain[i + 1];
      if (next === undefined || !this.issued(cert, next)) return null;
    }
    return null;
  }

  /** Depth-first search from `cert` to an anchor through unused sent certificates, trust store first. */
  search(cert: ParsedCertificate, used: ReadonlySet<ParsedCertificate>): Path | null {
    const anchor = this.anchorFor(cert);
    if (anchor !== null) return { certs: [cert], anchor };
    for (const next of this.chain) {
      if (used.has(next) || this.budget-- <= 0 || !this.issued(cert, next)) continue;
      const rest = this.search(next, new Set([...used, next]));
      if (rest !== null) return { certs: [cert, ...rest.certs], anchor: rest.anchor };
    }
    return null;
  }
}
