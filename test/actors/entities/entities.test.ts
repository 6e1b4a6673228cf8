import { describe, expect, it } from 'vitest';
import {
  ActorStoppedError,
  defineActor,
  MailboxOverflowError,
  MemorySnapshotStore,
  spawnEntities,
  type ActorRef,
  type Entities,
  type EntitiesOptions,
} from '../../../src/index.js';
import { expectInvalidOption } from '../helpers.js';
import { add, savedTotal, settled, tally, TOTAL, useKits, type TallyMessage } from './helpers.js';

const newKit = useKits();

function setup(options: Partial<EntitiesOptions> = {}) {
  const kit = newKit();
  const store = new MemorySnapshotStore();
  const orders = spawnEntities(kit.system, tally, { name: 'orders', idleMs: 1000, snapshot: { store }, ...options });
  return { kit, store, orders };
}

describe('spawnEntities', () => {
  it('spawns no entity until a message comes for it, then one at <entities>/<id>', async () => {
    const { kit, orders } = setup();
    expect(orders.path).toBe('/user/orders');
    await kit.settle();
    expect(orders.metrics()).toEqual({ active: 0, passivating: 0, passivated: 0, activations: 0 });
    expect(orders.tell('order-1', add(2))).toBe(true);
    expect(await settled(kit, orders.ask('order-1', TOTAL))).toBe(2);
    expect(kit.system.lookup('/user/orders/order-1')).toBeDefined();
    expect(orders.metrics()).toEqual({ active: 1, passivating: 0, passivated: 0, activations: 1 });
  });

  it('escapes an id into a name: letters, digits and -_.:@ kept, other UTF-8 bytes (+ too) as +HH', async () => {
    const { kit, orders } = setup();
    const ids = ['a/b c', 'ü', 'a+2F', 'ada@example.com'];
    for (const id of ids) orders.tell(id, add(1));
    await kit.settle();
    expect(ids.map((id) => orders.ref(id).path)).toEqual([
      '/user/orders/a+2Fb+20c',
      '/user/orders/+C3+BC',
      '/user/orders/a+2B2F',
      '/user/orders/ada@example.com',
    ]);
    for (const id of ids) expect(kit.system.lookup(orders.ref(id).path)).toBeDefined();
  });

  it.each([[''], [42], ['\uD800']])('refuses the id %j with InvalidOptionError naming id', (id) => {
    const { orders } = setup();
    expectInvalidOption(() => orders.tell(id as string, add(1)), 'id');
    expectInvalidOption(() => orders.ref(id as string), 'id');
    return expect(orders.send(id as string, add(1))).rejects.toMatchObject({ option: 'id' });
  });

  const REFUSED: readonly [string, Partial<EntitiesOptions>][] = [
    ['snapshot.store', { snapshot: {} as never }],
    ['snapshot.store', { snapshot: undefined as never }],
    ['snapshot.everyMessages', { snapshot: { store: new MemorySnapshotStore(), everyMessages: 0 } }],
    ['idleMs', { idleMs: 0 }],
    ['idleMs', { idleMs: undefined as never }],
    ['maxActive', { maxActive: 1.5 }],
    ['entity.name', { entity: { name: 'x' } as never }],
    ['entity.snapshot', { entity: { snapshot: {} } as never }],
    ['entity.mailbox.capacity', { entity: { mailbox: { capacity: 0 } } }],
    ['entity.supervision.restart', { entity: { supervision: { restart: 'permanent' } } }],
    ['name', { name: 'no spaces' }],
  ];

  it.each(REFUSED)('refuses a bad %s with InvalidOptionError and spawns nothing', async (option, options) => {
    const kit = newKit();
    const store = new MemorySnapshotStore();
    expectInvalidOption(() => spawnEntities(kit.system, tally, { name: 'orders', idleMs: 1000, snapshot: { store }, ...options }), option);
    await kit.settle();
    expect(kit.system.lookup('/user/orders')).toBeUndefined();
  });
});

describe('Entities', () => {
  describe('passivation when idle', () => {
    it('stops an entity idle for idleMs, saving its state, and restores it on the next message', async () => {
      const { kit, store, orders } = setup();
      orders.tell('a', add(2));
      orders.tell('a', add(3));
      await kit.advance(999);
      expect(orders.metrics().active).toBe(1);
      await kit.advance(1);
      expect(orders.metrics()).toEqual({ active: 0, passivating: 0, passivated: 1, activations: 1 });
      expect(kit.system.lookup('/user/orders/a')).toBeUndefined();
      expect(await savedTotal(store, '/user/orders/a')).toBe(5);
      orders.tell('a', add(10));
      expect(await settled(kit, orders.ask('a', TOTAL))).toBe(15);
      expect(orders.metrics()).toEqual({ active: 1, passivating: 0, passivated: 1, activations: 2 });
      expect(kit.deadLetters).toEqual([]);
    });

    it('counts idleness from the last message: each message puts passivation off by idleMs', async () => {
      const { kit, orders } = setup();
      orders.tell('a', add(1));
      await kit.advance(600);
      orders.tell('a', add(1));
      await kit.advance(600);
      expect(orders.metrics().active).toBe(1);
      await kit.advance(400);
      expect(orders.metrics()).toMatchObject({ active: 0, passivated: 1 });
    });

    it('passivates nothing for idleness when idleMs is Infinity', async () => {
      const { kit, orders } = setup({ idleMs: Infinity });
      orders.tell('a', add(1));
      await kit.advance(1e9);
      expect(orders.metrics().active).toBe(1);
      expect(kit.clock.pendingTimers).toBe(0);
    });

    it('keeps a snapshot key of its own for each entity under snapshot.key', async () => {
      const kit = newKit();
      const store = new MemorySnapshotStore();
      const orders = spawnEntities(kit.system, tally, { name: 'orders', idleMs: 10, snapshot: { store, key: 'shop' } });
      orders.tell('a/1', add(4));
      await kit.advance(10);
      expect(await savedTotal(store, 'shop/a+2F1')).toBe(4);
    });
  });

  describe('messages sent while an entity is being passivated', () => {
    it('delivers tells, sends and asks in the order they were sent, to the next actor, none lost', async () => {
      const { kit, orders } = setup();
      orders.tell('a', add(1));
      const passivated = orders.passivate('a');
      expect(orders.metrics()).toMatchObject({ active: 0, passivating: 1 });
      expect(orders.tell('a', add(2))).toBe(true);
      const sent = orders.send('a', add(3));
      const asked = orders.ask('a', TOTAL);
      orders.tell('a', add(4));
      const last = orders.ask('a', TOTAL);
      await kit.settle();
      await passivated;
      await sent;
      expect([await asked, await last]).toEqual([6, 10]);
      expect(orders.metrics()).toEqual({ active: 1, passivating: 0, passivated: 1, activations: 2 });
      expect(kit.deadLetters).toEqual([]);
    });

    it('handles what was queued before the passivation first, in the actor being passivated', async () => {
      const { kit, store, orders } = setup();
      for (let n = 1; n <= 5; n++) orders.tell('a', add(n));
      void orders.passivate('a');
      await kit.settle();
      expect(await savedTotal(store, '/user/orders/a')).toBe(15);
      expect(kit.deadLetters).toEqual([]);
    });

    it('queues at most the mailbox capacity: a tell past it returns false, a send rejects with MailboxOverflowError', async () => {
      const { kit, orders } = setup({ entity: { mailbox: { capacity: 2 } } });
      orders.tell('a', add(1));
      void orders.passivate('a');
      expect(orders.tell('a', add(1))).toBe(true);
      expect(orders.tell('a', add(1))).toBe(true);
      expect(orders.tell('a', add(1))).toBe(false);
      await expect(orders.send('a', add(1))).rejects.toBeInstanceOf(MailboxOverflowError);
      await kit.settle();
      expect(await settled(kit, orders.ask('a', TOTAL))).toBe(3);
    });
  });

  describe('maxActive', () => {
    it('passivates the least recently used entity to make room for another', async () => {
      const { kit, store, orders } = setup({ maxActive: 2, idleMs: Infinity });
      orders.tell('a', add(1));
      orders.tell('b', add(2));
      orders.tell('a', add(1));
      orders.tell('c', add(3));
      await kit.settle();
      expect(orders.metrics()).toEqual({ active: 2, passivating: 0, passivated: 1, activations: 3 });
      expect(kit.system.lookup('/user/orders/b')).toBeUndefined();
      expect(await savedTotal(store, '/user/orders/b')).toBe(2);
      expect(await settled(kit, orders.ask('b', TOTAL))).toBe(2);
      expect(kit.system.lookup('/user/orders/a')).toBeUndefined();
      expect(await settled(kit, orders.ask('a', TOTAL))).toBe(2);
    });
  });

  describe('ref', () => {
    it('stays valid across passivations, and its stop passivates', async () => {
      const { kit, orders } = setup();
      const ref = orders.ref('a');
      ref.tell(add(2));
      await kit.settle();
      expect(ref.status).toBe('running');
      await settled(kit, ref.stop());
      expect(orders.metrics()).toMatchObject({ active: 0, passivated: 1 });
      expect(ref.status).toBe('running');
      expect(ref.metrics().depth).toBe(0);
      await settled(kit, ref.send(add(3)));
      expect(await settled(kit, ref.ask(TOTAL))).toBe(5);
      expect(ref.id).toBe(orders.ref('a').id);
    });
  });

  describe('an entity that stops on its own', () => {
    it('is activated again from its last snapshot by the next message', async () => {
      const { kit, orders } = setup();
      orders.tell('a', add(7));
      orders.tell('a', { type: 'quit' });
      await kit.settle();
      expect(orders.metrics()).toEqual({ active: 0, passivating: 0, passivated: 0, activations: 1 });
      expect(await settled(kit, orders.ask('a', TOTAL))).toBe(7);
    });

    it('restarts from its snapshot after a failure, as its supervision says', async () => {
      const kit = newKit();
      const store = new MemorySnapshotStore();
      let failures = 0;
      const flaky = defineActor<number, number | 'get'>({
        initialState: () => 0,
        receive(total, message, ctx) {
          if (message === 'get') {
            ctx.reply(total);
            return total;
          }
          if (message < 0 && failures++ === 0) throw new Error('once');
          return total + message;
        },
      });
      const entities = spawnEntities(kit.system, flaky, { idleMs: 100, snapshot: { store } });
      entities.tell('x', 1);
      entities.tell('x', -5);
      entities.tell('x', 10);
      expect(await settled(kit, entities.ask('x', 'get'))).toBe(6);
      expect(entities.metrics().activations).toBe(1);
    });
  });

  describe('stop', () => {
    it('stops every entity with its state saved, refuses what waited, and leaves no timer', async () => {
      const { kit, store, orders } = setup();
      orders.tell('a', add(1));
      orders.tell('b', add(2));
      await kit.settle();
      void orders.passivate('a');
      const waiting = expect(orders.send('a', add(5))).rejects.toBeInstanceOf(ActorStoppedError);
      await settled(kit, orders.stop());
      await waiting;
      expect(orders.status).toBe('stopped');
      expect(await savedTotal(store, '/user/orders/b')).toBe(2);
      expect(kit.clock.pendingTimers).toBe(0);
      expect(orders.tell('a', add(1))).toBe(false);
      await expect(orders.ask('a', TOTAL)).rejects.toBeInstanceOf(ActorStoppedError);
      expect(orders.ref('a').status).toBe('stopped');
    });
  });
});

describe('Entities when the actor above them restarts', () => {
  it('activates its entities afresh from their snapshots, nothing lost', async () => {
    const kit = newKit();
    const store = new MemorySnapshotStore();
    const spawned: { orders?: Entities<TallyMessage>; bomb?: ActorRef<'boom'> } = {};
    const bomb = defineActor<null, 'boom'>({
      initialState: () => null,
      receive() {
        throw new Error('boom');
      },
    });
    // Under one-for-all, the bomb's failure restarts its sibling, the actor above the entities.
    const shop = defineActor<null, never>({
      initialState: () => null,
      started(_state, ctx) {
        spawned.orders ??= spawnEntities(ctx, tally, { name: 'orders', idleMs: 1000, snapshot: { store } });
        spawned.bomb ??= ctx.spawn(bomb, { name: 'bomb' });
      },
      receive: (state) => state,
    });
    kit.system.spawn(shop, { name: 'shop', supervisor: { strategy: 'one-for-all' } });
    await kit.settle();
    const orders = spawned.orders as Entities<TallyMessage>;
    orders.tell('x', add(5));
    await kit.settle();
    spawned.bomb?.tell('boom');
    const before = orders.ask('x', TOTAL);
    orders.tell('x', add(1));
    await kit.settle();
    expect(kit.events.filter((event) => event.type === 'actor-restarted' && event.path === '/user/shop/orders').length).toBeGreaterThan(0);
    expect(await before).toBe(5);
    expect(await settled(kit, orders.ask('x', TOTAL))).toBe(6);
    expect(orders.status).toBe('running');
    expect(kit.deadLetters.filter((letter) => letter.recipient.startsWith('/user/shop/orders'))).toEqual([]);
  });
});
