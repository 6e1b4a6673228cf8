/**
 * NATS server addresses as errors and logs show them: redacted, so a credential written into a URL
 * never leaves it.
 */
import { redactUrl } from '../internal/redact-url.js';

/** Every address of `servers`, redacted and joined with `, `. */
export function describeServers(servers: string | readonly string[] | undefined): string {
  const list = servers === undefined ? ['nats://127.0.0.1:4222'] : typeof servers === 'string' ? [servers] : servers;
  return list.map(redactUrl).join(', ');
}
