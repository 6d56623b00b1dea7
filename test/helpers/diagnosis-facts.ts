/** DiagnosisFacts for rule tests: a failing handshake with SNI, overridden field by field. */
import type { DiagnosisFacts } from '../../src/diagnose/facts.js';
import type { ClientHello } from '../../src/tls/types.js';

export function factsWith(hello: ClientHello, over: Partial<DiagnosisFacts>): DiagnosisFacts {
  return {
    outcome: 'server_alert',
    end: { kind: 'in-progress' },
    hello,
    sniPresent: true,
    serverVersion: null,
    serverHelloSeen: false,
    serverAlert: null,
    clientAlert: null,
    certificateRequested: false,
    upstreamHost: 'ingress.internal',
    chain: null,
    ...over,
  };
}

/** A fatal alert as the watchers report it. */
export const fatal = (code: number) => ({ level: 2, code });
