/**
 * The live children of one parent (an actor, or the system's top level), in start order, found by
 * name. Start order is a list threaded through the children themselves, each holding its
 * neighbours, so adding or removing a child is a few pointer writes. The index by name is a map
 * made the first time a name is looked up (a spawn with a given name, `system.lookup`) and kept
 * from then on: a parent whose children all have generated names never hashes one, since no
 * sibling can hold a generated name (see `actor-id.ts`), and a million-entry map costs a spawn
 * more than everything else it does.
 *
 * Invariants: the list holds each live child once, in the order they were added; once made, the
 * index maps every name in the list to its child, and nothing else.
 */

/** What the registry keeps in each child: its neighbours in start order, written by the registry alone. */
export interface Sibling<TChild> {
  readonly name: string;
  previousSibling: TChild | undefined;
  nextSibling: TChild | undefined;
}

/** A parent's children as others read them. */
export interface ReadonlyChildren<TChild> {
  readonly size: number;
  /** The live child called `name`, if any. */
  get(name: string): TChild | undefined;
  has(name: string): boolean;
  /** The live children now, in start order: a copy, which stopping children leave as it is. */
  list(): TChild[];
}

export class ChildRegistry<TChild extends Sibling<TChild>> implements ReadonlyChildren<TChild> {
  #first: TChild | undefined;
  #last: TChild | undefined;
  #size = 0;
  #byName: Map<string, TChild> | undefined;

  get size(): number {
    return this.#size;
  }

  /** Adds `child` (whose name no live child holds) after every other. */
  add(child: TChild): void {
    const last = this.#last;
    child.previousSibling = last;
    child.nextSibling = undefined;
    if (last === undefined) this.#first = child;
    else last.nextSibling = child;
    this.#last = child;
    this.#size++;
    this.#byName?.set(child.name, child);
  }

  /** Removes `child`, if it is one of these; removing it twice changes nothing. */
  remove(child: TChild): void {
    if (child !== this.#first && child.previousSibling === undefined) return;
    const { previousSibling, nextSibling } = child;
    if (previousSibling === undefined) this.#first = nextSibling;
    else previousSibling.nextSibling = nextSibling;
    if (nextSibling === undefined) this.#last = previousSibling;
    else nextSibling.previousSibling = previousSibling;
    // A stopped child may be kept by whoever holds its ref: it must not keep its siblings too.
    child.previousSibling = undefined;
    child.nextSibling = undefined;
    this.#size--;
    if (this.#byName?.get(child.name) === child) this.#byName.delete(child.name);
  }

  get(name: string): TChild | undefined {
    return this.#index().get(name);
  }

  has(name: string): boolean {
    return this.get(name) !== undefined;
  }

  list(): TChild[] {
    const children = new Array<TChild>(this.#size);
    let i = 0;
    for (let child = this.#first; child !== undefined; child = child.nextSibling) children[i++] = child;
    return children;
  }

  #index(): Map<string, TChild> {
    if (this.#byName !== undefined) return this.#byName;
    const byName = new Map<string, TChild>();
    for (let child = this.#first; child !== undefined; child = child.nextSibling) byName.set(child.name, child);
    return (this.#byName = byName);
  }
}
