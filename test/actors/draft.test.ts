import { describe, expect, it } from 'vitest';
import { defineActor, type ActorDefinition } from '../../src/index.js';
import { nextEvent, useSystems } from './helpers.js';

const newSystem = useSystems();

interface Cart {
  readonly items: readonly { readonly sku: string; readonly quantity: number }[];
  readonly total: number;
}

type CartMsg = { type: 'add'; sku: string; price: number } | { type: 'clear' } | { type: 'get' } | { type: 'fail-after-mutating' };

const cart: ActorDefinition<Cart, CartMsg> = defineActor<Cart, CartMsg>({
  draft: true,
  initialState: () => ({ items: [], total: 0 }),
  receive(draft, msg, ctx) {
    switch (msg.type) {
      case 'add': {
        const line = draft.items.find((item) => item.sku === msg.sku);
        if (line === undefined) draft.items.push({ sku: msg.sku, quantity: 1 });
        else line.quantity++;
        draft.total += msg.price;
        return;
      }
      case 'clear':
        return { items: [], total: 0 };
      case 'get':
        ctx.reply(ctx.self.path);
        return;
      case 'fail-after-mutating':
        draft.total = -1;
        throw new Error('half-way');
    }
  },
});

/** Hands the final state to `sink`: the `stopping` hook sees it. */
function withFinalState(definition: ActorDefinition<Cart, CartMsg>, sink: (state: Cart) => void): ActorDefinition<Cart, CartMsg> {
  return { ...definition, stopping: (state) => sink(state) };
}

describe('defineActor', () => {
  describe('draft: true', () => {
    it('turns mutations of the draft into a new immutable state', async () => {
      const system = newSystem();
      let final: Cart | undefined;
      const ref = system.spawn(withFinalState(cart, (state) => (final = state)));
      ref.tell({ type: 'add', sku: 'apple', price: 2 });
      ref.tell({ type: 'add', sku: 'apple', price: 2 });
      ref.tell({ type: 'add', sku: 'pear', price: 3 });
      await ref.ask({ type: 'get' });
      await ref.stop();
      expect(final).toEqual({
        items: [
          { sku: 'apple', quantity: 2 },
          { sku: 'pear', quantity: 1 },
        ],
        total: 7,
      });
      expect(Object.isFrozen(final)).toBe(true);
      expect(Object.isFrozen(final?.items[0])).toBe(true);
    });

    it('takes a returned value as the replacement state', async () => {
      const system = newSystem();
      let final: Cart | undefined;
      const ref = system.spawn(withFinalState(cart, (state) => (final = state)));
      ref.tell({ type: 'add', sku: 'apple', price: 2 });
      ref.tell({ type: 'clear' });
      await ref.ask({ type: 'get' });
      await ref.stop();
      expect(final).toEqual({ items: [], total: 0 });
    });

    it('discards the mutations of a handler that throws', async () => {
      const system = newSystem();
      let final: Cart | undefined;
      const ref = system.spawn(
        withFinalState(cart, (state) => (final = state)),
        { supervision: { decide: () => 'resume' } },
      );
      const failed = nextEvent(system, 'actor-failed');
      ref.tell({ type: 'add', sku: 'apple', price: 2 });
      ref.tell({ type: 'fail-after-mutating' });
      await failed;
      await ref.stop();
      expect(final?.total).toBe(2);
    });

    it('passes the context to the handler', async () => {
      const system = newSystem();
      const ref = system.spawn(cart, { name: 'cart' });
      await expect(ref.ask({ type: 'get' })).resolves.toBe('/user/cart');
    });

    it('rejects a draft flag that is not a boolean, naming it', () => {
      expect(() => defineActor({ draft: 'yes', initialState: () => 0, receive: (s: number) => s } as never)).toThrow(/`draft`/);
    });
  });
});
