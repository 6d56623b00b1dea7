/**
 * Checks over a certificate chain as a server sent it (leaf first), and the
 * verdict and hint they add up to. Pure: no sockets, no clock unless `now` is
 * left out.
 */
import { checkChainOrder, checkTrust, loadTrustStore, systemTrustStore, type TrustStore } from './chain.js';
import { ChainIndex, findingVerdict, type CertRef, type ChainVerdict, type Finding } from './findings.js';
import { checkHostname } from './hostname.js';
import { parseCertificate, type CertificateParseResult, type ParsedCertificate } from './parse.js';

export { checkHostname, matchesDnsPattern, referenceName, type HostnameCheck } from './hostname.js';
export {
  checkChainOrder,
  checkTrust,
  isIssuedBy,
  issuerMismatch,
  loadTrustStore,
  systemTrustStore,
  type TrustCheck,
  type TrustStore,
} from './chain.js';
export { findingVerdict, type CertRef, type ChainVerdict, type Finding, type FindingKind } from './findings.js';

export interface ValidityOptions {
  /** The trust path (`TrustCheck.path`): members off it are reported with `onTrustPath: false`. Default: all on it. */
  readonly trustPath?: readonly ParsedCertificate[];
  /** The store anchor the path ends at; checked too when it is not one of the sent certificates. */
  readonly anchor?: ParsedCertificate | null;
  readonly index?: ChainIndex;
}

/** Every chain member (and the anchor, if given) outside its validity period at `now`. */
export function checkValidity(chain: readonly ParsedCertificate[], now: Date = new Date(), options: ValidityOptions = {}): Finding[] {
  const index = options.index ?? new ChainIndex(chain);
  const members = options.anchor && !chain.includes(options.anchor) ? [...chain, options.anchor] : chain;
  const findings: Finding[] = [];
  for (const c of members) {
    const onTrustPath = options.trustPath === undefined || options.trustPath.includes(c) || c === options.anchor;
    if (now.getTime() > c.notAfter.getTime()) {
      findings.push({ kind: 'expired', cert: index.ref(c), notAfter: c.notAfter.toISOString(), onTrustPath });
    } else if (now.getTime() < c.notBefore.getTime()) {
      findings.push({ kind: 'not_yet_valid', cert: index.ref(c), notBefore: c.notBefore.toISOString(), onTrustPath });
    }
  }
  return findings;
}

const WEAK_HASHES: ReadonlySet<string> = new Set(['md2', 'md5', 'sha1']);
/** Recommended minimum key sizes, and the floor of OpenSSL's default security level 1 (80-bit security). */
const KEY_BITS: Readonly<Partial<Record<ParsedCertificate['publicKeyType'], { readonly min: number; readonly floor: number }>>> = {
  rsa: { min: 2048, floor: 1024 },
  'rsa-pss': { min: 2048, floor: 1024 },
  dsa: { min: 2048, floor: 1024 },
  ec: { min: 256, floor: 160 },
};

/**
 * Cryptographic strength: MD5/SHA-1 signatures on members that are not
 * self-signed (a root's self-signature is never checked), and RSA/DSA keys
 * under 2048 bits or EC keys under 256 on any member. See the `weak_signature`
 * and `weak_key` findings for which of these clients actually refuse.
 */
export function checkStrength(chain: readonly ParsedCertificate[], index = new ChainIndex(chain)): Finding[] {
  const findings: Finding[] = [];
  for (const c of chain) {
    if (!c.selfSigned && c.signatureHash !== null && WEAK_HASHES.has(c.signatureHash)) {
      findings.push({ kind: 'weak_signature', cert: index.ref(c), algorithm: c.signatureAlgorithm, hash: c.signatureHash });
    }
    const limits = KEY_BITS[c.publicKeyType];
    if (limits !== undefined && c.publicKeyBits !== null && c.publicKeyBits < limits.min) {
      findings.push({
        kind: 'weak_key',
        cert: index.ref(c),
        keyType: c.publicKeyType,
        bits: c.publicKeyBits,
        rejectedByDefault: c.publicKeyBits < limits.floor,
      });
    }
  }
  return findings;
}

/**
 * The order in which problems decide the verdict when several apply.
 *
 * 1. `hostname_mismatch`: when the name is not covered, the server is almost
 *    always presenting the wrong certificate (a default virtual host, missing
 *    SNI, a mis-routed backend); whether that certificate is also expired or
 *    badly chained is moot, and fixing it would be wasted work. It is also
 *    what a generic alert most likely meant: OpenSSL sends
 *    bad_certificate (42) for exactly this, and Java its 46 once the chain
 *    passed.
 * 2. `expired_certificate`: breaks every client and needs a renewal, which
 *    usually brings a fresh chain file as well. OpenSSL and Java say it with
 *    a dedicated alert (45), which the diagnosis maps directly, so a generic
 *    alert rarely meant it; that is why it does not come first.
 * 3. `incomplete_chain`: a server-side fix (serve the intermediate) that
 *    browsers often paper over with AIA fetching and other clients do not.
 * 4. `untrusted_certificate`: usually fixed on the client (trust the private
 *    root) and the least specific explanation; it also covers signatures
 *    and keys too weak for clients' default policies.
 *
 * `ChainAssessment.problems` lists every applicable verdict in this order, so
 * a diagnosis that knows the alert can prefer the problem the alert names
 * (e.g. unknown_ca (48) from OpenSSL, which checks the chain before the name).
 */
export const VERDICT_PRECEDENCE: readonly Exclude<ChainVerdict, 'ok'>[] = [
  'hostname_mismatch',
  'expired_certificate',
  'incomplete_chain',
  'untrusted_certificate',
];

export interface AssessChainOptions {
  /** The certificates as the server sent them, leaf first: DER, or already parsed. */
  readonly chain: readonly (Buffer | CertificateParseResult)[];
  /** The name the client asked for (SNI, or the host it dialled); null or absent skips the name check. */
  readonly name?: string | null;
  /** Trust anchors: a store, a PEM bundle, or PEM strings. Default: Node's bundled roots. */
  readonly roots?: TrustStore | string | readonly string[];
  readonly now?: Date;
}

export interface ChainAssessment {
  /** The first of `problems`, or `ok` when there is none. */
  readonly verdict: ChainVerdict;
  /** Every verdict the findings support, in `VERDICT_PRECEDENCE` order. */
  readonly problems: readonly Exclude<ChainVerdict, 'ok'>[];
  /** One sentence naming the certificate at fault and what to change; null when `ok`. */
  readonly hint: string | null;
  /** Everything found, notes included. */
  readonly findings: readonly Finding[];
}

/** Runs every check on a served chain and sums them up; see `VERDICT_PRECEDENCE`. Never throws on bad certificates. */
export function assessChain(options: AssessChainOptions): ChainAssessment {
  const now = options.now ?? new Date();
  const roots = toTrustStore(options.roots);
  const findings: Finding[] = [];
  const members: ParsedCertificate[] = [];
  const positions: number[] = [];
  options.chain.forEach((entry, i) => {
    const p = Buffer.isBuffer(entry) ? parseCertificate(entry) : entry;
    if (p.ok) {
      members.push(p);
      positions.push(i);
    } else {
      findings.push({ kind: 'unparsable_certificate', index: i, sha256: p.sha256, code: p.error.code, message: p.error.message });
    }
  });
  if (options.chain.length === 0) findings.push({ kind: 'no_certificate' });

  const index = new ChainIndex(members, positions);
  const leaf = positions[0] === 0 ? members[0] : undefined;
  if (leaf !== undefined) {
    if (options.name != null && options.name !== '') findings.push(...checkHostname(leaf, options.name, index).findings);
    const trust = checkTrust(members, roots, index);
    findings.push(...trust.findings);
    findings.push(...checkChainOrder(members, index));
    findings.push(...checkValidity(members, now, { trustPath: trust.path, anchor: trust.anchor, index }));
    findings.push(...checkStrength(members, index));
  }

  const supported = new Set(findings.map(findingVerdict));
  const problems = VERDICT_PRECEDENCE.filter((v) => supported.has(v));
  const verdict = problems[0] ?? 'ok';
  return { verdict, problems, hint: verdict === 'ok' ? null : hintFor(verdict, findings), findings };
}

function toTrustStore(roots: AssessChainOptions['roots']): TrustStore {
  if (roots === undefined) return systemTrustStore();
  if (typeof roots === 'string' || Array.isArray(roots)) return loadTrustStore(roots as string | readonly string[]);
  return roots as TrustStore;
}

/** One sentence for the first finding that supports `verdict`. */
function hintFor(verdict: Exclude<ChainVerdict, 'ok'>, findings: readonly Finding[]): string {
  const f = findings.find((x) => findingVerdict(x) === verdict);
  if (f === undefined) return `The server's certificate chain has a problem: ${verdict}.`;
  switch (f.kind) {
    case 'hostname_mismatch':
      return f.presented.length === 0
        ? `The certificate ${named(f.cert)} has no name or address that could cover "${f.name}": serve a certificate whose subjectAltName includes ${f.name}.`
        : `The certificate ${named(f.cert)} covers ${list(f.presented)} but not "${f.name}": serve a certificate whose subjectAltName includes ${f.name}, or have the client use a name it covers.`;
    case 'expired':
      if (f.cert.index === null) {
        return `The trusted root "${f.cert.subject}" expired on ${f.notAfter}: move to a chain under a current root, or update the client's trust store.`;
      }
      return f.cert.index === 0
        ? `The certificate ${named(f.cert)} expired on ${f.notAfter}: renew it and serve the new certificate with its intermediates.`
        : `The intermediate ${named(f.cert)} in the served chain expired on ${f.notAfter}: replace it with the current intermediate from the issuing CA.`;
    case 'not_yet_valid':
      return `The certificate ${named(f.cert)} is not valid before ${f.notBefore}: check the clocks of server and client, or serve a certificate that is already valid.`;
    case 'issuer_missing':
      return `The server sends ${quoted(f.cert.subject)} without its issuer ${quoted(f.issuer)}: append that intermediate certificate${
        f.caIssuersUrl === null ? '' : ` (published at ${f.caIssuersUrl})`
      } to the served chain after it, or add it to the client's trust store if it is a private CA.`;
    case 'chain_out_of_order':
      return `The server sends its chain out of order: the issuer of ${quoted(f.cert.subject)} (position ${f.cert.index ?? '?'}) is at position ${
        f.issuerCert.index ?? '?'
      } instead of right after it, so serve the leaf first and then each issuer in turn.`;
    case 'self_signed_leaf':
      return `The certificate ${quoted(f.cert.subject)} is self-signed: serve one issued by a CA the client trusts, or add this certificate to the client's trust store.`;
    case 'unknown_root':
      return f.selfSigned
        ? `The chain ends at the root ${quoted(f.cert.subject)}, which the client does not trust: serve a chain from a publicly trusted CA, or add that root to the client's trust store.`
        : `The chain ends at ${named(f.cert)}, and the client does not trust ${quoted(f.issuer)}: add that root to the client's trust store, or, if it is another intermediate, append it to the served chain.`;
    case 'no_certificate':
      return `The server sent an empty certificate list: configure a certificate and key on it.`;
    case 'unparsable_certificate':
      return `${f.index === 0 ? "The server's certificate" : `The certificate at position ${f.index} of the served chain`} (sha256 ${f.sha256.slice(0, 16)}…) cannot be read (${f.code}): check the certificate files the server is configured with.`;
    case 'weak_signature':
      return `The certificate ${named(f.cert)} is signed with ${f.algorithm}, which OpenSSL 3, Java, Go and browsers refuse: have it re-issued with a SHA-256 signature.`;
    case 'weak_key':
      return `The certificate ${named(f.cert)} has a ${f.bits}-bit ${f.keyType.toUpperCase()} key, which OpenSSL refuses even at its default security level: re-issue it with a 2048-bit RSA or a P-256 key.`;
    case 'hostname_cn_fallback':
    case 'chain_order':
      return `The server's certificate chain has a problem: ${verdict}.`;
    default: {
      const never: never = f;
      return never;
    }
  }
}

function quoted(dn: string): string {
  return dn === '' ? 'with an empty name' : `"${dn}"`;
}

function named(c: CertRef): string {
  return `${quoted(c.subject)} (issued by ${quoted(c.issuer)})`;
}

function list(items: readonly string[]): string {
  const shown = items.slice(0, 4).join(', ');
  return items.length > 4 ? `${shown} and ${items.length - 4} more` : shown;
}
