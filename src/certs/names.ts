/**
 * X.501 distinguished names (RFC 5280 §4.1.2.4) and GeneralNames (§4.2.1.6):
 * decoding, the one-line text form, and a canonical form for comparing names.
 */
import { isIPv4, isIPv6 } from 'node:net';
import { CertParseError } from './errors.js';
import { DerReader, Tag, TagClass, decodeOid, decodeString, type DerElement } from './der.js';

/** OpenSSL's short names for the attribute types seen in real certificates. */
const ATTRIBUTE_NAMES: Readonly<Record<string, string>> = {
  '2.5.4.3': 'CN',
  '2.5.4.4': 'SN',
  '2.5.4.5': 'serialNumber',
  '2.5.4.6': 'C',
  '2.5.4.7': 'L',
  '2.5.4.8': 'ST',
  '2.5.4.9': 'street',
  '2.5.4.10': 'O',
  '2.5.4.11': 'OU',
  '2.5.4.12': 'title',
  '2.5.4.13': 'description',
  '2.5.4.15': 'businessCategory',
  '2.5.4.17': 'postalCode',
  '2.5.4.41': 'name',
  '2.5.4.42': 'GN',
  '2.5.4.43': 'initials',
  '2.5.4.44': 'generationQualifier',
  '2.5.4.46': 'dnQualifier',
  '2.5.4.65': 'pseudonym',
  '2.5.4.97': 'organizationIdentifier',
  '0.9.2342.19200300.100.1.1': 'UID',
  '0.9.2342.19200300.100.1.25': 'DC',
  '1.2.840.113549.1.9.1': 'emailAddress',
  '1.3.6.1.4.1.311.60.2.1.1': 'jurisdictionL',
  '1.3.6.1.4.1.311.60.2.1.2': 'jurisdictionST',
  '1.3.6.1.4.1.311.60.2.1.3': 'jurisdictionC',
};

const OID_COMMON_NAME = '2.5.4.3';

/** One AttributeTypeAndValue. `value` is null when the value is not a string type. */
interface Attribute {
  readonly oid: string;
  readonly value: string | null;
  /** The value's whole DER element, for non-string values and for sorting. */
  readonly raw: Buffer;
}

/** A decoded Name: its RDNs in encoded order (most general first, as certificates store them). */
export interface DistinguishedName {
  /** RFC 4514 one-line form, most specific RDN first: `CN=api.example.com, O=Example, C=US`. */
  readonly text: string;
  /** A form for equality tests: case-folded, whitespace-collapsed, RDN order kept. */
  readonly key: string;
  /** Every CN value, in encoded order. */
  readonly commonNames: readonly string[];
}

export function decodeName(el: DerElement): DistinguishedName {
  const rdns: Attribute[][] = [];
  const outer = DerReader.inside(el);
  while (!outer.done) {
    const set = outer.sequence('RelativeDistinguishedName', Tag.Set);
    const rdn: Attribute[] = [];
    while (!set.done) {
      const atv = set.sequence('AttributeTypeAndValue');
      const oid = decodeOid(atv.expect(TagClass.Universal, Tag.Oid, 'attribute type'));
      const v = atv.next('attribute value');
      atv.expectEnd('AttributeTypeAndValue');
      rdn.push({ oid, value: decodeString(v), raw: v.raw });
    }
    if (rdn.length === 0) throw new CertParseError('BAD_VALUE', 'empty RelativeDistinguishedName', el.offset);
    rdns.push(rdn);
  }
  return {
    text: rdns
      .slice()
      .reverse()
      .map((rdn) => rdn.map(attributeText).join(' + '))
      .join(', '),
    key: rdns.map((rdn) => rdn.map(attributeKey).sort().join('+')).join(','),
    commonNames: rdns.flatMap((rdn) => rdn.filter((a) => a.oid === OID_COMMON_NAME && a.value !== null).map((a) => a.value!)),
  };
}

function attributeText(a: Attribute): string {
  const type = ATTRIBUTE_NAMES[a.oid] ?? a.oid;
  const value = a.value === null ? `#${a.raw.toString('hex').toUpperCase()}` : escapeValue(a.value);
  return `${type}=${value}`;
}

/** RFC 4514 §2.4 escaping, as OpenSSL's `-nameopt RFC2253` does it (control characters as \XX). */
function escapeValue(v: string): string {
  let out = '';
  for (let i = 0; i < v.length; i++) {
    const ch = v[i]!;
    const code = ch.charCodeAt(0);
    if (',+"\\<>;'.includes(ch) || (i === 0 && (ch === '#' || ch === ' ')) || (i === v.length - 1 && ch === ' ')) {
      out += `\\${ch}`;
    } else if (code < 0x20 || code === 0x7f) {
      out += `\\${code.toString(16).toUpperCase().padStart(2, '0')}`;
    } else {
      out += ch;
    }
  }
  return out;
}

/**
 * Approximates OpenSSL's canonical name encoding (x_name.c): string values
 * trimmed, inner whitespace collapsed, ASCII case folded. Two names with the
 * same key are the same name to an OpenSSL chain builder.
 */
function attributeKey(a: Attribute): string {
  const v =
    a.value === null
      ? `#${a.raw.toString('hex')}`
      : a.value
          .trim()
          .replace(/\s+/g, ' ')
          .replace(/[A-Z]/g, (c) => c.toLowerCase());
  return `${a.oid}=${JSON.stringify(v)}`;
}

/** The GeneralNames of a subjectAltName extension, decoded. */
export interface SubjectAltNames {
  /** Every entry in the notation of OpenSSL and Node (`DNS:a.example`, `IP Address:127.0.0.1`). */
  readonly entries: readonly string[];
  readonly dnsNames: readonly string[];
  /** iPAddress entries in OpenSSL's notation: dotted IPv4, or 8 upper-case hex groups for IPv6. */
  readonly ipAddresses: readonly string[];
}

export function decodeGeneralNames(el: DerElement): SubjectAltNames {
  const entries: string[] = [];
  const dnsNames: string[] = [];
  const ipAddresses: string[] = [];
  const r = DerReader.inside(el);
  while (!r.done) {
    const gn = r.next('GeneralName');
    if (gn.cls !== TagClass.Context) {
      throw new CertParseError('UNEXPECTED_TAG', 'GeneralName is not context-tagged', gn.offset);
    }
    switch (gn.tag) {
      case 1:
        entries.push(`email:${gn.body.toString('latin1')}`);
        break;
      case 2: {
        const name = gn.body.toString('latin1');
        dnsNames.push(name);
        entries.push(`DNS:${name}`);
        break;
      }
      case 4: {
        // directoryName is EXPLICIT (a CHOICE): the Name sits inside the [4].
        const inner = DerReader.inside(gn);
        entries.push(`DirName:${decodeName(inner.expect(TagClass.Universal, Tag.Sequence, 'directoryName')).text}`);
        break;
      }
      case 6:
        entries.push(`URI:${gn.body.toString('latin1')}`);
        break;
      case 7: {
        const ip = formatIp(gn.body);
        if (ip === null) {
          entries.push('IP Address:<invalid>');
        } else {
          ipAddresses.push(ip);
          entries.push(`IP Address:${ip}`);
        }
        break;
      }
      case 8:
        entries.push(`Registered ID:${decodeOid({ ...gn, cls: TagClass.Universal, tag: Tag.Oid })}`);
        break;
      case 0:
        entries.push('othername:<unsupported>');
        break;
      case 3:
        entries.push('X400Name:<unsupported>');
        break;
      case 5:
        entries.push('EdiPartyName:<unsupported>');
        break;
      default:
        throw new CertParseError('UNEXPECTED_TAG', `GeneralName [${gn.tag}] does not exist`, gn.offset);
    }
  }
  return { entries, dnsNames, ipAddresses };
}

/** An iPAddress's octets in OpenSSL's notation; null unless 4 or 16 octets. */
export function formatIp(b: Buffer): string | null {
  if (b.length === 4) return [...b].join('.');
  if (b.length === 16) {
    const groups: string[] = [];
    for (let i = 0; i < 16; i += 2) groups.push(b.readUInt16BE(i).toString(16).toUpperCase());
    return groups.join(':');
  }
  return null;
}

/** An IP literal (optionally in brackets, as in URLs) in OpenSSL's notation; null when `text` is not an IP literal. */
export function canonicalIp(text: string): string | null {
  const t = text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text;
  if (isIPv4(t)) return formatIp(Buffer.from(t.split('.').map(Number)));
  if (!isIPv6(t)) return null;
  // Expand '::' and a dotted IPv4 tail into 16 octets.
  let s = t.toLowerCase();
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(s);
  if (v4) {
    const o = v4[1]!.split('.').map(Number) as [number, number, number, number];
    s = s.slice(0, -v4[1]!.length) + `${((o[0] << 8) | o[1]).toString(16)}:${((o[2] << 8) | o[3]).toString(16)}`;
  }
  const [head, tail] = s.includes('::') ? (s.split('::') as [string, string]) : [s, undefined];
  const h = head === '' ? [] : head.split(':');
  const tl = tail === undefined || tail === '' ? [] : tail.split(':');
  const groups = tail === undefined ? h : [...h, ...Array<string>(8 - h.length - tl.length).fill('0'), ...tl];
  const bytes = Buffer.alloc(16);
  groups.forEach((g, i) => bytes.writeUInt16BE(parseInt(g, 16), i * 2));
  return formatIp(bytes);
}
