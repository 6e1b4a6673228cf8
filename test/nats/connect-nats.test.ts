import { describe, expect, it } from 'vitest';
import { connectNats } from '../../src/nats/connect-nats.js';
import { natsName, publishSubject } from '../../src/nats/nats-names.js';
import { redactUrl } from '../../src/internal/redact-url.js';
import { InvalidOptionError, NatsUnreachableError } from '../../src/index.js';
import { checkNats } from '../helpers/services.js';
import { unusedPort } from '../helpers/ports.js';

const nats = await checkNats();

describe('names that become subjects and buckets', () => {
  it('takes letters, digits, _ and -', () => {
    expect(natsName('--job', 'orders_2026-a')).toBe('orders_2026-a');
  });

  it.each(['', 'a.b', 'a*', 'a>', 'a b', 'x'.repeat(65), 'é'])('refuses %j, naming the option', (bad) => {
    expect(() => natsName('--job', bad)).toThrow(InvalidOptionError);
    expect(() => natsName('--job', bad)).toThrow(/`--job`/);
  });

  it('checks subjects to publish on', () => {
    expect(publishSubject('subject', 'orders.created')).toBe('orders.created');
    for (const bad of ['orders.*', 'orders.>', 'a..b', '.a', 'a b', '']) expect(() => publishSubject('subject', bad)).toThrow(/`subject`/);
  });
});

describe('addresses shown without credentials', () => {
  it('replaces user information in a URL', () => {
    expect(redactUrl('nats://alice:s3cret@10.0.0.5:4222')).toBe('nats://***@10.0.0.5:4222');
    expect(redactUrl('tls://tok3n@host:4222')).toBe('tls://***@host:4222');
    expect(redactUrl('nats://127.0.0.1:4222')).toBe('nats://127.0.0.1:4222');
  });
});

describe('connecting', () => {
  it('fails with an error naming the address, never the password', async () => {
    const port = await unusedPort();
    const failure = await connectNats({ servers: `nats://bob:hunter2@127.0.0.1:${port}`, maxReconnectAttempts: 0, timeout: 1_000 }).catch(
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(NatsUnreachableError);
    const { message, servers } = failure as NatsUnreachableError;
    expect(message).toContain(`127.0.0.1:${port}`);
    expect(servers).toBe(`nats://***@127.0.0.1:${port}`);
    expect(message).not.toContain('hunter2');
  });

  it('names an unreadable credentials file by its option', async () => {
    await expect(connectNats({ servers: 'nats://127.0.0.1:1', credsFile: '/nonexistent/worker.creds' })).rejects.toThrow(/`credsFile`/);
  });

  it.skipIf(nats.url === undefined)('connects to the server', async () => {
    const nc = await connectNats({ servers: nats.url as string });
    try {
      expect(nc.info?.jetstream).toBe(true);
    } finally {
      await nc.close();
    }
  });
});
