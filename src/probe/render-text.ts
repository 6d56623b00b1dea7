/**
 * The human-readable `tlspeek probe` report: versions, suites per version and
 * preference, SNI behaviour, ALPN, the chain with each check, then the cause
 * and its hint. Plain text, no colour; the JSON document is for machines.
 */
import type { Finding } from '../certs/checks.js';
import type { CertificateInfo } from '../tls/types.js';
import { type ChainReport, describeAnswer, type ProbeReport, type SniCase } from './report.js';

export function renderText(r: ProbeReport): string {
  const out: string[] = [];
  out.push(`tlspeek probe ${r.target}${r.address !== null && !r.target.startsWith(r.address) ? ` (${r.address})` : ''}, SNI ${r.servername === null ? 'none' : `"${r.servername}"`}`);
  if (r.error !== null) {
    out.push('', `${r.error.kind}: ${r.error.message}`, '', 'cause: none (the server could not be probed)');
    return out.join('\n') + '\n';
  }

  out.push('', 'versions');
  for (const v of r.versions) out.push(`  ${v.version.padEnd(8)} ${v.accepted ? 'yes' : 'no '}  ${v.accepted ? '' : describeAnswer(v.answer)}`.trimEnd());

  out.push('', 'cipher suites');
  if (r.ciphers.length === 0) out.push('  (no version accepted)');
  for (const c of r.ciphers) {
    const order = c.order === 'server' ? "server's preference order" : c.order === 'client' ? "follows the client's order" : 'order undetermined';
    out.push(`  ${c.version} (${c.accepted.length}${c.complete ? '' : '+, enumeration incomplete'}; ${order})`);
    for (const name of c.accepted) out.push(`    ${name}`);
  }

  out.push('', 'SNI');
  if (r.sni === null) out.push('  (not tested)');
  else {
    for (const c of r.sni.cases) out.push(`  ${sniLabel(c).padEnd(38)} ${describeAnswer(c.answer)}${c.certificate ? `, certificate ${c.certificate.subject}` : ''}`);
    out.push(`  SNI required: ${r.sni.required === null ? 'undetermined' : r.sni.required ? 'yes' : 'no'}`);
  }

  out.push('', 'ALPN');
  if (r.alpn === null) out.push('  (not tested)');
  else {
    const selected = r.alpn.selected ?? (r.alpn.error ? `none (${r.alpn.error})` : 'none');
    out.push(`  offered ${r.alpn.offered.join(', ')}: selected ${selected}`);
  }

  out.push('', 'certificate chain');
  if (r.chain === null) out.push('  (none obtained)');
  else out.push(...renderChain(r.chain));

  out.push('');
  if (r.cause === null) out.push('cause: none');
  else {
    out.push(`cause: ${r.cause}${r.causes.length > 1 ? ` (also: ${r.causes.slice(1).join(', ')})` : ''}`);
    if (r.hint !== null) out.push(`hint: ${r.hint}`);
  }
  if (r.incomplete) out.push('note: the time budget ran out; some probes were not tried');
  return out.join('\n') + '\n';
}

function sniLabel(c: SniCase): string {
  switch (c.kind) {
    case 'servername':
      return `with "${c.sent ?? ''}"`;
    case 'host':
      return `with the host name "${c.sent ?? ''}"`;
    case 'none':
      return 'without SNI';
    case 'unknown':
      return `unknown name "${c.sent ?? ''}"`;
    default: {
      const never: never = c.kind;
      return never;
    }
  }
}

function renderChain(c: ChainReport): string[] {
  const out: string[] = [];
  const how = c.source === 'handshake' ? `${c.version ?? '?'} Certificate message, as sent` : `from a ${c.version ?? '?'} handshake by Node: TLS 1.3 encrypts the chain, so the order as sent is unknown`;
  out.push(`  (${how})`);
  c.certificates.forEach((cert, i) => out.push(...renderCert(i, cert)));
  out.push(`  checks${c.name === null ? '' : ` for "${c.name}"`}:`);
  const groups: [string, Finding['kind'][]][] = [
    ['host name', ['hostname_mismatch', 'hostname_cn_fallback']],
    ['order', ['chain_order', 'chain_out_of_order']],
    ['trust', ['issuer_missing', 'self_signed_leaf', 'unknown_root', 'no_certificate', 'unparsable_certificate']],
    ['validity', ['expired', 'not_yet_valid']],
    ['strength', ['weak_signature', 'weak_key']],
  ];
  for (const [label, kinds] of groups) {
    const found = c.findings.filter((f) => kinds.includes(f.kind));
    let status: string;
    if (found.length > 0) status = found.map(describeFinding).join('; ');
    else if (label === 'host name' && c.name === null) status = 'not checked (no name)';
    else if (label === 'order' && !c.orderAsSent) status = 'not checked (order as sent unknown)';
    else status = 'ok';
    out.push(`    ${label.padEnd(10)} ${status}`);
  }
  out.push(`  verdict: ${c.verdict}`);
  return out;
}

function renderCert(i: number, cert: CertificateInfo): string[] {
  const lines = [`  ${i}  subject ${cert.subject || '(unreadable)'}`, `     issuer  ${cert.issuer}`];
  if (cert.san.length > 0) lines.push(`     san     ${cert.san.slice(0, 6).join(', ')}${cert.san.length > 6 ? `, and ${cert.san.length - 6} more` : ''}`);
  lines.push(`     valid   ${cert.notBefore} to ${cert.notAfter}`);
  return lines;
}

/** One finding in a few words. */
export function describeFinding(f: Finding): string {
  switch (f.kind) {
    case 'hostname_mismatch':
      return `MISMATCH: "${f.name}" is not covered by ${f.presented.length > 0 ? f.presented.slice(0, 4).join(', ') : 'any name in the certificate'}`;
    case 'hostname_cn_fallback':
      return `note: "${f.name}" matches only the subject CN (no DNS SAN); Chrome and Go reject that`;
    case 'chain_order':
      return `note: certificate ${f.cert.index ?? '?'} is not issued by the one after it (${f.reason})`;
    case 'chain_out_of_order':
      return `OUT OF ORDER: the issuer of "${f.cert.subject}" is at position ${f.issuerCert.index ?? '?'}`;
    case 'issuer_missing':
      return `INCOMPLETE: the issuer "${f.issuer}" of "${f.cert.subject}" was not sent${f.caIssuersUrl ? ` (published at ${f.caIssuersUrl})` : ''}`;
    case 'self_signed_leaf':
      return `UNTRUSTED: the leaf "${f.cert.subject}" is self-signed`;
    case 'unknown_root':
      return `UNTRUSTED: the chain ends at "${f.cert.subject}", issued by "${f.issuer}", which is not a trusted root`;
    case 'no_certificate':
      return 'UNTRUSTED: the server sent no certificate';
    case 'unparsable_certificate':
      return `UNREADABLE: certificate ${f.index} (${f.code})`;
    case 'expired':
      return `${f.onTrustPath ? 'EXPIRED' : 'note: expired, off the trust path'}: "${f.cert.subject}" on ${f.notAfter}`;
    case 'not_yet_valid':
      return `${f.onTrustPath ? 'NOT YET VALID' : 'note: not yet valid, off the trust path'}: "${f.cert.subject}" until ${f.notBefore}`;
    case 'weak_signature':
      return `WEAK: "${f.cert.subject}" is signed with ${f.algorithm}`;
    case 'weak_key':
      return `${f.rejectedByDefault ? 'WEAK' : 'note'}: "${f.cert.subject}" has a ${f.bits}-bit ${f.keyType} key`;
    default: {
      const never: never = f;
      return never;
    }
  }
}
