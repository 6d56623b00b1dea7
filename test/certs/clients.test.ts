/**
 * The factory's certificates on real TLS: Node and OpenSSL serve them and
 * verify them, and a real client's complaint about each broken chain is one
 * of the problems assessChain lists.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import tls from 'node:tls';
import t, { type Test } from 'tap';
import { assessChain, type ChainVerdict } from '../../src/certs/checks.js';
import { expiredValidity, makePki, makeSelfSigned, notYetValidValidity, type Issued } from '../helpers/certs.js';
import { OPENSSL, pemFile } from '../helpers/openssl-verify.js';

const NAMES = ['api.example.com', 'localhost', '127.0.0.1'];
const pki = makePki({ leafNames: NAMES });
const other = makePki({ name: 'Other CA', leafNames: NAMES });

/** A Node TLS server on 127.0.0.1 serving `chain` (leaf first) with `keyPem`; closed at teardown. */
async function serve(t: Test, chain: readonly Issued[], keyPem: string): Promise<number> {
  const server = tls.createServer({ key: keyPem, cert: chain.map((c) => c.pem).join('') }, (s) => s.end());
  server.on('tlsClientError', () => {});
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return (server.address() as { port: number }).port;
}

interface ClientResult {
  readonly authorized: boolean;
  readonly error: string | null;
}

/** Node's client verdict: rejectUnauthorized off so the error is reported, not thrown. */
async function nodeClient(port: number, servername: string, ca: string): Promise<ClientResult> {
  const socket = tls.connect({ host: '127.0.0.1', port, servername, ca, rejectUnauthorized: false });
  try {
    await once(socket, 'secureConnect');
    const err = socket.authorizationError as Error | string | null;
    return { authorized: socket.authorized, error: err === null ? null : typeof err === 'string' ? err : err.message };
  } finally {
    socket.destroy();
  }
}

/** `openssl s_client` verifying against `caFile` with hostname checks; resolves with its exit code and verify line. */
async function opensslClient(port: number, host: string, caFile: string): Promise<{ code: number | null; verify: string }> {
  const child = spawn(
    OPENSSL,
    ['s_client', '-connect', `127.0.0.1:${port}`, '-servername', host, '-CAfile', caFile, '-verify_return_error', '-verify_hostname', host],
    { stdio: ['pipe', 'pipe', 'pipe'] },
  );
  child.stdin.end();
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code, verify: /Verify return code: (.*)/.exec(out)?.[1] ?? /verify error:(.*)/.exec(out)?.[1] ?? out.slice(0, 200) };
}

void t.test('Node serves and verifies the factory chain (RSA and ECDSA leaves)', async (t) => {
  for (const leaf of [pki.leaf, pki.issueLeaf({ names: NAMES, key: 'ec256' })]) {
    const port = await serve(t, [leaf, pki.intermediate], leaf.keyPem);
    t.same(await nodeClient(port, 'api.example.com', pki.rootPem), { authorized: true, error: null });
  }
});

void t.test('openssl s_client verifies a chain Node serves', async (t) => {
  const dir = t.testdir();
  const port = await serve(t, [pki.leaf, pki.intermediate], pki.leafKeyPem);
  const r = await opensslClient(port, 'api.example.com', pemFile(dir, 'root.pem', pki.rootPem));
  t.same(r, { code: 0, verify: '0 (ok)' });
});

void t.test('Node verifies a chain openssl s_server serves', async (t) => {
  const dir = t.testdir();
  const leaf = pki.issueLeaf({ names: NAMES, key: 'ec256' });
  const server = spawn(
    OPENSSL,
    [
      's_server', '-accept', '127.0.0.1:0', '-naccept', '1',
      '-cert', pemFile(dir, 'leaf.pem', leaf.pem),
      '-key', pemFile(dir, 'leaf.key', leaf.keyPem),
      '-cert_chain', pemFile(dir, 'inter.pem', pki.intermediatePem),
    ],
    { stdio: ['pipe', 'pipe', 'pipe'] },
  );
  t.teardown(() => {
    server.kill();
  });
  let out = '';
  const port = await new Promise<number>((resolve, reject) => {
    server.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /ACCEPT 127\.0\.0\.1:(\d+)/.exec(out);
      if (m) resolve(Number(m[1]));
    });
    server.once('exit', () => reject(new Error(`s_server exited: ${out}`)));
  });
  t.same(await nodeClient(port, 'api.example.com', pki.rootPem), { authorized: true, error: null });
});

/**
 * Node's authorizationError codes (OpenSSL's X509_V_ERR names) and the
 * verdicts each is evidence for. A missing issuer reads the same to OpenSSL
 * whether it is an intermediate the server forgot or a private root the
 * client lacks.
 */
const NODE_ERRORS: Readonly<Record<string, readonly ChainVerdict[]>> = {
  ERR_TLS_CERT_ALTNAME_INVALID: ['hostname_mismatch'],
  CERT_HAS_EXPIRED: ['expired_certificate'],
  CERT_NOT_YET_VALID: ['expired_certificate'],
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: ['incomplete_chain', 'untrusted_certificate'],
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: ['incomplete_chain', 'untrusted_certificate'],
  DEPTH_ZERO_SELF_SIGNED_CERT: ['untrusted_certificate'],
  SELF_SIGNED_CERT_IN_CHAIN: ['untrusted_certificate'],
};

void t.test("a real client's complaint is among assessChain's problems", async (t) => {
  const expired = pki.issueLeaf({ names: NAMES, validity: expiredValidity() });
  const future = pki.issueLeaf({ names: NAMES, validity: notYetValidValidity() });
  const selfSigned = makeSelfSigned({ names: NAMES });
  const snakeoil = makeSelfSigned({ names: ['default.invalid'], keyLabel: 'snakeoil' });
  const cases: [string, Issued[], string, ChainVerdict][] = [
    ['good', [pki.leaf, pki.intermediate], 'api.example.com', 'ok'],
    ['wrong name', [pki.leaf, pki.intermediate], 'www.example.com', 'hostname_mismatch'],
    ['missing intermediate', [pki.leaf], 'api.example.com', 'incomplete_chain'],
    ['expired leaf', [expired, pki.intermediate], 'api.example.com', 'expired_certificate'],
    ['not-yet-valid leaf', [future, pki.intermediate], 'api.example.com', 'expired_certificate'],
    ['self-signed', [selfSigned], 'api.example.com', 'untrusted_certificate'],
    ['unknown CA, root sent', [other.leaf, other.intermediate, other.root], 'api.example.com', 'untrusted_certificate'],
    ['unknown CA, root not sent', [other.leaf, other.intermediate], 'api.example.com', 'untrusted_certificate'],
    ['default certificate for another name', [snakeoil], 'api.example.com', 'hostname_mismatch'],
  ];
  for (const [what, chain, name, verdict] of cases) {
    const port = await serve(t, chain, chain[0]!.keyPem);
    const node = await nodeClient(port, name, pki.rootPem);
    const a = assessChain({ chain: chain.map((c) => c.der), name, roots: pki.rootPem });
    t.equal(a.verdict, verdict, `${what}: verdict`);
    if (node.authorized) {
      t.equal(a.verdict, 'ok', `${what}: Node accepts it too`);
    } else {
      const meant = NODE_ERRORS[node.error ?? ''] ?? [];
      t.ok(
        a.problems.some((p) => meant.includes(p)),
        `${what}: Node says ${node.error}; ours ${a.problems.join(', ')}`,
      );
    }
  }
});
