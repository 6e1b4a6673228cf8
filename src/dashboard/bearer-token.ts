/**
 * Whether a request carries the dashboard's token: `Authorization: Bearer <token>`, or
 * `?token=<token>` (which an EventSource, unable to set headers, and a link to the page use).
 * Compared in constant time, over digests of equal length, so how long a guess took says nothing
 * of how much of it was right, nor of the token's length.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export class BearerToken {
  readonly #digest: Buffer;

  constructor(token: string) {
    this.#digest = digest(token);
  }

  /** Whether `request` (whose query is `query`) carries the token, in its header or its query. */
  admits(request: IncomingMessage, query: URLSearchParams): boolean {
    const header = request.headers.authorization;
    const bearer = header === undefined ? undefined : /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header)?.[1];
    // Both are compared, whatever the first gives, so the time taken does not say which matched.
    const byHeader = this.#matches(bearer);
    const byQuery = this.#matches(query.get('token') ?? undefined);
    return byHeader || byQuery;
  }

  #matches(candidate: string | undefined): boolean {
    return timingSafeEqual(digest(candidate ?? ''), this.#digest) && candidate !== undefined;
  }
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}
