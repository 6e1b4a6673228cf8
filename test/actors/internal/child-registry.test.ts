import { describe, expect, it } from 'vitest';
import { ChildRegistry, type Sibling } from '../../../src/actors/internal/child-registry.js';

class Child implements Sibling<Child> {
  previousSibling: Child | undefined;
  nextSibling: Child | undefined;
  constructor(readonly name: string) {}
}

function registryOf(...names: string[]): { registry: ChildRegistry<Child>; children: Child[] } {
  const registry = new ChildRegistry<Child>();
  const children = names.map((name) => new Child(name));
  for (const child of children) registry.add(child);
  return { registry, children };
}

describe('ChildRegistry', () => {
  describe('list', () => {
    it('lists the children in the order they were added, without those removed', () => {
      const { registry, children } = registryOf('a', 'b', 'c', 'd');
      registry.remove(children[1] as Child);
      registry.remove(children[3] as Child);
      registry.add(new Child('e'));
      expect(registry.list().map((child) => child.name)).toEqual(['a', 'c', 'e']);
      expect(registry.size).toBe(3);
    });

    it('hands out a copy, which removing a child leaves as it was', () => {
      const { registry, children } = registryOf('a', 'b');
      const listed = registry.list();
      registry.remove(children[0] as Child);
      expect(listed.map((child) => child.name)).toEqual(['a', 'b']);
    });
  });

  describe('get', () => {
    it('finds the children added before the first lookup and those added after it', () => {
      const { registry, children } = registryOf('a', 'b');
      expect(registry.get('b')).toBe(children[1]);
      const c = new Child('c');
      registry.add(c);
      expect(registry.get('c')).toBe(c);
      expect(registry.has('d')).toBe(false);
    });

    it('forgets a removed child, and finds the newer child that took its name', () => {
      const { registry, children } = registryOf('a', 'b');
      expect(registry.has('a')).toBe(true);
      registry.remove(children[0] as Child);
      expect(registry.has('a')).toBe(false);
      const again = new Child('a');
      registry.add(again);
      expect(registry.get('a')).toBe(again);
    });
  });

  describe('remove', () => {
    it('removes a child once: removing it again, or one it never held, changes nothing', () => {
      const { registry, children } = registryOf('a', 'b', 'c');
      const [a, b] = children as [Child, Child, Child];
      registry.remove(b);
      registry.remove(b);
      registry.remove(new Child('a'));
      expect(registry.list()).toEqual([a, children[2]]);
      expect(registry.get('a')).toBe(a);
      expect(registry.size).toBe(2);
    });

    it('leaves a removed child holding none of its siblings', () => {
      const { registry, children } = registryOf('a', 'b', 'c');
      const b = children[1] as Child;
      registry.remove(b);
      expect([b.previousSibling, b.nextSibling]).toEqual([undefined, undefined]);
    });

    it('empties from either end', () => {
      const { registry, children } = registryOf('a', 'b', 'c');
      registry.remove(children[0] as Child);
      registry.remove(children[2] as Child);
      registry.remove(children[1] as Child);
      expect(registry.list()).toEqual([]);
      const d = new Child('d');
      registry.add(d);
      expect(registry.list()).toEqual([d]);
    });
  });
});
