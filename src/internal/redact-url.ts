/**
 * Server addresses as they may be shown: in an error, a log line or `sluice status`, a URL's user
 * name and password (or token) are replaced, so a credential written into a URL never leaves it.
 */

/**
 * `url` with any user information replaced by `***`.
 * @example
 * ```ts
 * redactUrl('nats://alice:secret@10.0.0.5:4222'); // 'nats://***@10.0.0.5:4222'
 * ```
 */
export function redactUrl(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^@/]*@/i, '$1***@');
}
