/** Real TLS clients for tests: Node's tls and the openssl CLI, reporting what they saw. */
import { spawn } from 'node:child_process';
import tls from 'node:tls';

export interface ClientView {
  /** The client's error code (e.g. ECONNRESET, ERR_SSL_...), or null when it succeeded. */
  readonly error: string | null;
  /** Data received after the handshake. */
  readonly received: string;
  readonly protocol: string | null;
  readonly authorized: boolean;
}

/** Connects, sends one line, waits for one reply (or an error), and closes. */
export function nodeClient(port: number, options: tls.ConnectionOptions = {}, timeoutMs = 5000): Promise<ClientView> {
  return new Promise((resolve) => {
    let received = '';
    let done = false;
    const sock = tls.connect({ host: '127.0.0.1', port, rejectUnauthorized: false, ...options });
    const finish = (error: string | null) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      const view = { error, received, protocol: sock.getProtocol?.() ?? null, authorized: sock.authorized };
      sock.destroy();
      resolve(view);
    };
    const timer = setTimeout(() => finish('TIMEOUT'), timeoutMs);
    sock.on('secureConnect', () => sock.write('ping\n'));
    sock.on('data', (d: Buffer) => {
      received += d.toString();
      if (received.includes('\n')) finish(null);
    });
    sock.on('error', (err: NodeJS.ErrnoException) => finish(err.code ?? err.message));
    sock.on('close', () => finish(received ? null : 'CLOSED'));
  });
}

export interface OpensslView {
  readonly exitCode: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a command-line TLS client to completion: feeds `input`, then EOF; killed after `timeoutMs`. */
function runTool(command: string, args: string[], input: string, timeoutMs: number): Promise<OpensslView> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ exitCode: code, stdout, stderr });
    });
    child.stdin.on('error', () => undefined);
    child.stdin.end(input);
  });
}

/** Runs `openssl s_client` against 127.0.0.1:port with extra args; sends `input` then EOF. */
export function opensslClient(port: number, args: string[], input = 'ping\n', timeoutMs = 10000): Promise<OpensslView> {
  return runTool('openssl', ['s_client', '-connect', `127.0.0.1:${port}`, '-ign_eof', ...args], input, timeoutMs);
}

/** Runs `gnutls-cli` against 127.0.0.1:port (Debian gnutls-bin); GnuTLS encrypts its TLS 1.3 alerts. */
export function gnutlsClient(port: number, args: string[], input = 'ping\n', timeoutMs = 10000): Promise<OpensslView> {
  return runTool('gnutls-cli', ['--port', String(port), ...args, '127.0.0.1'], input, timeoutMs);
}
