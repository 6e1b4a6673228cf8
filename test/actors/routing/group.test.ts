import { describe, expect, it } from 'vitest';
import { ActorStoppedError, createGroup, spawnPool, type ActorRef, type GroupOptions } from '../../../src/index.js';
import { expectInvalidOption } from '../helpers.js';
import { depths, expectRefused, job, keyOfJob, recorder, useKits, type Handled, type Job } from './helpers.js';

const newKit = useKits();

/** `count` recording actors spawned at the top level as `member-<i>`. */
function members(kit: ReturnType<typeof newKit>, count: number, handled: Handled[] = []): ActorRef<Job>[] {
  return Array.from({ length: count }, (_, i) => kit.system.spawn(recorder(handled), { name: `member-${i}` }));
}

describe('createGroup', () => {
  it('routes over the refs it is given, in their order', () => {
    const kit = newKit();
    const refs = members(kit, 3);
    const group = createGroup(kit.system, { name: 'trio', routees: refs });
    for (let id = 0; id < 7; id++) expect(group.tell(job(id))).toBe(true);
    expect(depths(refs)).toEqual([3, 2, 2]);
    expect(group.path).toBe('group:trio');
    expect(group.routees()).toEqual(refs);
    expect(group.status).toBe('running');
  });

  const REFUSED: readonly [string, (refs: ActorRef<Job>[]) => GroupOptions<Job>][] = [
    ['routees', () => ({ routees: 'all' as never })],
    ['routees[1]', (refs) => ({ routees: [refs[0] as ActorRef<Job>, { path: '/user/fake' } as never] })],
    ['routees', (refs) => ({ routees: [refs[0] as ActorRef<Job>, refs[0] as ActorRef<Job>] })],
    ['keyOf', (refs) => ({ routees: refs, routing: 'consistent-hash' })],
    ['keyOf', (refs) => ({ routees: refs, keyOf: keyOfJob })],
    ['name', (refs) => ({ routees: refs, name: '' })],
  ];

  it.each(REFUSED)('refuses a bad %s with InvalidOptionError', (option, options) => {
    const kit = newKit();
    const refs = members(kit, 2);
    expectInvalidOption(() => createGroup(kit.system, options(refs)), option);
  });
});

describe('Group', () => {
  it('drops a member that stopped; under consistent hashing only that member’s keys move', async () => {
    const kit = newKit();
    const handled: Handled[] = [];
    const refs = members(kit, 4, handled);
    const group = createGroup(kit.system, { routees: refs, routing: 'consistent-hash', keyOf: keyOfJob });
    const keys = Array.from({ length: 60 }, (_, i) => `key-${i}`);
    const placement = async (): Promise<Map<string, string>> => {
      handled.length = 0;
      keys.forEach((key, id) => group.tell(job(id, key)));
      await kit.settle();
      return new Map(handled.map((h) => [h.key as string, h.by]));
    };
    const before = await placement();
    const gone = refs[2] as ActorRef<Job>;
    await gone.stop();
    const after = await placement();
    expect(group.routees()).toEqual(refs.filter((ref) => ref !== gone));
    for (const key of keys) {
      if (before.get(key) !== gone.path) expect(after.get(key)).toBe(before.get(key));
      else expect(after.get(key)).not.toBe(gone.path);
    }
    expect(kit.deadLetters).toEqual([]);
  });

  it('passes a member that stopped by, and no longer lists it', async () => {
    const kit = newKit();
    const refs = members(kit, 3);
    const group = createGroup(kit.system, { routees: refs });
    await refs[1]?.stop();
    for (let id = 0; id < 4; id++) expect(group.tell(job(id))).toBe(true);
    expect(depths(refs)).toEqual([2, 0, 2]);
    expect(group.routees()).toEqual([refs[0], refs[2]]);
    expect(group.metrics().routees.map((routee) => routee.path)).toEqual(['/user/member-0', '/user/member-2']);
  });

  it('refuses into dead letters naming the group once every member has stopped', async () => {
    const kit = newKit();
    const refs = members(kit, 2);
    const group = createGroup(kit.system, { name: 'pair', routees: refs });
    await Promise.all(refs.map((ref) => ref.stop()));
    await expectRefused(kit, group, 'group:pair');
  });

  describe('add', () => {
    it('adds a member, and a ref with the path of one that stopped takes its place and its keys', async () => {
      const kit = newKit();
      const handled: Handled[] = [];
      const refs = members(kit, 2, handled);
      const group = createGroup(kit.system, { routees: refs, routing: 'consistent-hash', keyOf: keyOfJob });
      let key = 0;
      while (group.tell(job(-1, key)) && depths(refs)[0] === 0) key++;
      await refs[0]?.stop();
      const successor = kit.system.spawn(recorder(handled), { name: 'member-0' });
      expect(group.add(successor)).toBe(true);
      expect(group.add(successor)).toBe(false);
      group.tell(job(1, key));
      await kit.settle();
      expect(handled.at(-1)).toEqual({ id: 1, key, by: successor.path });
      expect(group.routees()).toEqual([successor, refs[1]]);
    });

    it('refuses a ref of no Sluice system, naming ref', () => {
      const kit = newKit();
      const group = createGroup(kit.system, { routees: members(kit, 1) });
      expectInvalidOption(() => group.add({ path: '/user/x' } as never), 'ref');
    });
  });

  describe('remove', () => {
    it('takes a member out of the group, which goes on running', () => {
      const kit = newKit();
      const refs = members(kit, 2);
      const group = createGroup(kit.system, { routees: refs });
      expect(group.remove(refs[0] as ActorRef<Job>)).toBe(true);
      expect(group.remove(refs[0] as ActorRef<Job>)).toBe(false);
      for (let id = 0; id < 3; id++) group.tell(job(id));
      expect(depths(refs)).toEqual([0, 3]);
      expect(refs[0]?.status).not.toBe('stopped');
    });
  });

  describe('stop', () => {
    it('stops routing, not its members', async () => {
      const kit = newKit();
      const refs = members(kit, 2);
      const group = createGroup(kit.system, { name: 'pair', routees: refs });
      await group.stop();
      expect(group.status).toBe('stopped');
      expect(group.routees()).toEqual([]);
      expect(group.tell(job(0))).toBe(false);
      await expect(group.broadcast(job(1))).rejects.toBeInstanceOf(ActorStoppedError);
      expect(refs.map((ref) => ref.status)).toEqual(['starting', 'starting']);
    });
  });

  it('routes over pools as over any other ref, each pool routing on to its own routees', async () => {
    const kit = newKit();
    const handled: Handled[] = [];
    const pools = [0, 1].map((i) => spawnPool(kit.system, recorder(handled), { name: `pool-${i}`, size: 2 }));
    const group = createGroup(kit.system, { routees: pools, routing: 'least-mailbox' });
    for (let id = 0; id < 8; id++) group.tell(job(id));
    await kit.settle();
    const counts = new Map<string, number>();
    for (const h of handled) counts.set(h.by, (counts.get(h.by) ?? 0) + 1);
    expect([...counts.values()]).toEqual([2, 2, 2, 2]);
  });
});
