// Requests Node's HTTP parser refuses before Express sees them (headers over Node's 16 KB limit,
// a malformed request line or header): answered with the contract's error body, not Node's bare
// status line, so every 4xx carries a code.
import type { Duplex } from 'node:stream';
import { ERROR_STATUS, type ErrorBody, type ErrorCode } from '../contract/errors.ts';

const REASONS: Record<number, string> = { 400: 'Bad Request', 408: 'Request Timeout', 431: 'Request Header Fields Too Large' };

function answer(code: ErrorCode, status: number, message: string): string {
  const body = JSON.stringify({ error: { code, message } } satisfies ErrorBody);
  return (
    `HTTP/1.1 ${status} ${REASONS[status]}\r\nContent-Type: application/json; charset=utf-8\r\n` +
    `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`
  );
}

const HEADERS_TOO_LARGE = answer('HEADERS_TOO_LARGE', ERROR_STATUS.HEADERS_TOO_LARGE, 'The request headers are too large');
const MALFORMED = answer('INVALID_INPUT', ERROR_STATUS.INVALID_INPUT, 'The request is not valid HTTP');
const TIMEOUT = answer('INVALID_INPUT', 408, 'The request took too long to arrive');

/** The `clientError` listener of the HTTP server (a listener replaces Node's own answer). */
export function answerClientError(err: Error & { code?: string }, socket: Duplex): void {
  // A reset connection or one already answering has nobody to read an answer.
  if (err.code === 'ECONNRESET' || !socket.writable || (socket as { _httpMessage?: unknown })._httpMessage) {
    socket.destroy();
    return;
  }
  const text = err.code === 'HPE_HEADER_OVERFLOW' ? HEADERS_TOO_LARGE : err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? TIMEOUT : MALFORMED;
  socket.end(text);
}
