/**
 * Server identity check, RFC 6125 §6 (and RFC 2818 §3.1 for IP addresses).
 *
 * - DNS names match SAN dNSName entries, case-insensitively, a trailing dot
 *   on either side ignored.
 * - A wildcard counts only as the whole left-most label of a name with at
 *   least two labels after it (`*.example.com`, never `*.com`), and covers
 *   exactly one non-empty label: not the apex `example.com`, not
 *   `a.b.example.com`. Partial-label wildcards (`f*.example.com`) match
 *   nothing: RFC 6125 §7.2 discourages them, CA/B Forum rules forbid them and
 *   Chrome and Go refuse them (OpenSSL and Node accept them by default).
 * - IP literals match SAN iPAddress entries only, never a dNSName or the CN.
 * - The subject CN is consulted only when the certificate has no dNSName SAN
 *   at all. That is the rule of OpenSSL (X509_check_host), Node
 *   (tls.checkServerIdentity) and Java, the clients whose alerts we diagnose:
 *   a SAN with only IP addresses or e-mail does not switch the CN off. A CN
 *   match is reported as a note because Chrome and Go never use the CN.
 */
import { domainToASCII } from 'node:url';
import { ChainIndex, type Finding } from './findings.js';
import { canonicalIp } from './names.js';
import type { ParsedCertificate } from './parse.js';

export interface HostnameCheck {
  readonly matched: boolean;
  /** What matched: a SAN dNSName, a SAN iPAddress, or the subject CN. */
  readonly matchedBy: 'dns' | 'ip' | 'cn' | null;
  readonly findings: readonly Finding[];
}

/** Checks that `leaf` covers `name` (a DNS name or an IP literal, IPv6 optionally in brackets). */
export function checkHostname(leaf: ParsedCertificate, name: string, index: ChainIndex = new ChainIndex([leaf])): HostnameCheck {
  const cert = index.ref(leaf);
  const ip = canonicalIp(name);
  if (ip !== null) {
    if (leaf.ipAddresses.includes(ip)) return { matched: true, matchedBy: 'ip', findings: [] };
    return mismatch(leaf.ipAddresses.map((a) => `IP Address:${a}`));
  }

  const host = referenceName(name);
  if (leaf.dnsNames.length > 0) {
    if (host !== null && leaf.dnsNames.some((p) => matchesDnsPattern(p, host))) {
      return { matched: true, matchedBy: 'dns', findings: [] };
    }
    return mismatch(leaf.dnsNames.map((d) => `DNS:${d}`));
  }
  const cn = host === null ? undefined : leaf.commonNames.find((p) => matchesDnsPattern(p, host));
  if (cn !== undefined) {
    return { matched: true, matchedBy: 'cn', findings: [{ kind: 'hostname_cn_fallback', cert, name, commonName: cn }] };
  }
  return mismatch(leaf.commonNames.map((c) => `CN=${c}`));

  function mismatch(presented: string[]): HostnameCheck {
    return { matched: false, matchedBy: null, findings: [{ kind: 'hostname_mismatch', cert, name, presented }] };
  }
}

/**
 * True when a certificate's DNS identity `pattern` covers the host name `host`
 * (already passed through `referenceName`), by the rules above.
 */
export function matchesDnsPattern(pattern: string, host: string): boolean {
  const p = normaliseDns(pattern);
  if (p === null) return false;
  if (!p.includes('*')) return p === host;
  const labels = p.split('.');
  if (labels[0] !== '*' || p.indexOf('*', 1) !== -1 || labels.length < 3) return false;
  const hostLabels = host.split('.');
  if (hostLabels.length !== labels.length || hostLabels[0] === '') return false;
  return hostLabels.slice(1).join('.') === labels.slice(1).join('.');
}

/** The name a client asked for, in the form patterns are compared with; null when it cannot be a host name. */
export function referenceName(name: string): string | null {
  const ascii = /^[\x20-\x7e]*$/.test(name) ? name : domainToASCII(name);
  const n = normaliseDns(ascii);
  return n === null || n.includes('*') ? null : n;
}

/** Lower-case, one trailing dot removed; null for an empty name or one with empty labels. */
function normaliseDns(s: string): string | null {
  const n = (s.endsWith('.') ? s.slice(0, -1) : s).toLowerCase();
  if (n === '' || n.split('.').some((l) => l === '')) return null;
  return n;
}
