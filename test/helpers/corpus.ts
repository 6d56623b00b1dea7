/** Loads the public handshake corpus in ../shared/corpus (expectations from tshark and FoxIO). */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const corpusDir = fileURLToPath(new URL('../../../shared/corpus/', import.meta.url));

export interface ClientHelloCase {
  readonly source: string;
  readonly hex: string;
  readonly bytes: Buffer;
  readonly expected: {
    readonly sni: string | null;
    readonly cipherSuiteCodes: number[];
    readonly extensions: number[];
    readonly alpn: string[] | null;
    readonly supportedVersions: string[];
    readonly ja3: string;
    readonly ja4: string | null;
  };
}

export interface ServerFlightCase {
  readonly source: string;
  readonly hex: string;
  readonly bytes: Buffer;
  readonly expected: {
    readonly version: string | null;
    readonly cipherSuiteCode: number | null;
    readonly alert: { level: string; code: number } | null;
    readonly helloRetry: boolean;
    readonly certificateSha256: string[];
  };
}

function load<T extends { hex: string }>(name: string): (T & { bytes: Buffer })[] {
  return readFileSync(corpusDir + name, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => {
      const c = JSON.parse(l) as T;
      return { ...c, bytes: Buffer.from(c.hex, 'hex') };
    });
}

export const clientHellos = (): ClientHelloCase[] => load<ClientHelloCase>('clienthellos.jsonl');
export const serverFlights = (): ServerFlightCase[] => load<ServerFlightCase>('serverflights.jsonl');
export const corpusPath = (name: string): string => corpusDir + name;
