/**
 * The headers every answer of the dashboard carries, and its small plain answers. The page is
 * read-only and served from this handler alone, so the policy can be strict: nothing from other
 * origins, no inline script or style, no framing, no referrer leaking the token in the URL, and
 * nothing cached (the data is live, and may be behind a token).
 */
import type { ServerResponse } from 'node:http';

export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
  'content-security-policy': CONTENT_SECURITY_POLICY,
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cross-origin-resource-policy': 'same-origin',
};

/** Answers `status` with `body` (nothing for HEAD) and the security headers. */
export function answer(
  response: ServerResponse,
  head: boolean,
  status: number,
  contentType: string,
  body: string | Buffer,
  headers: Record<string, string> = {},
): void {
  const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  response.writeHead(status, { ...SECURITY_HEADERS, 'content-type': contentType, 'content-length': String(bytes.length), ...headers });
  response.end(head ? undefined : bytes);
}

/** A short plain-text answer: errors, which the page never shows. */
export function plain(response: ServerResponse, head: boolean, status: number, text: string, headers: Record<string, string> = {}): void {
  answer(response, head, status, 'text/plain; charset=utf-8', `${text}\n`, headers);
}
