/** Ending a connection's sockets for good, the same way wherever a connection owner closes. */
import type net from 'node:net';

/**
 * Detaches every listener and destroys `socket`. A no-op error listener stays:
 * an error emitted during the destroy must not become an uncaught exception.
 */
export function discardSocket(socket: net.Socket | null): void {
  if (!socket) return;
  socket.removeAllListeners();
  socket.on('error', () => undefined);
  socket.destroy();
}
