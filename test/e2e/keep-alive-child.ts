/**
 * The child of the keep-alive test: a plain script, run with `node --import tsx`, whose only pending
 * work is one of the system's timers. argv[2] picks the scenario; each prints what it saw and then
 * leaves the system running (no shutdown), so the process exits only if nothing keeps it alive.
 * - `forgotten-reply`: a handler forgets `ctx.reply`; the awaited ask must time out.
 * - `backoff`: a handler fails once; the awaited restart must happen after its backoff.
 * - `idle-snapshots`: an actor with a periodic snapshot timer, and nothing else to do.
 */
import { createSystem, defineActor, isSluiceError } from '../../src/index.js';

const scenario = process.argv[2];
const system = createSystem({ name: 'keep-alive' });

switch (scenario) {
  case 'forgotten-reply': {
    const forgetful = defineActor<null, 'ping'>({ initialState: () => null, receive: (state) => state });
    const ref = system.spawn(forgetful, { name: 'forgetful' });
    try {
      await ref.ask('ping', { timeoutMs: 200 });
      console.log('replied');
    } catch (error) {
      console.log(isSluiceError(error) ? `${error.name} ${error.code}` : String(error));
    }
    break;
  }
  case 'backoff': {
    let attempts = 0;
    const flaky = defineActor<number, 'work' | 'get'>({
      initialState: () => 0,
      receive(state, msg, ctx) {
        if (msg === 'get') {
          ctx.reply(state);
          return state;
        }
        attempts++;
        if (attempts === 1) throw new Error('the first attempt fails');
        return state + 1;
      },
    });
    const ref = system.spawn(flaky, { name: 'flaky', supervision: { backoff: { minMs: 200, jitter: 0 } } });
    const restarted = new Promise<void>((resolve) => {
      system.events.subscribe((event) => {
        if (event.type === 'actor-restarted') resolve();
      });
    });
    ref.tell('work');
    await restarted;
    console.log(`restarted; state ${await ref.ask<number>('get')} after ${attempts} attempts`);
    break;
  }
  case 'idle-snapshots': {
    const counter = defineActor<number, 'inc' | 'get'>({
      initialState: () => 0,
      receive(state, msg, ctx) {
        if (msg === 'inc') return state + 1;
        ctx.reply(state);
        return state;
      },
    });
    const ref = system.spawn(counter, { name: 'counter', snapshot: { everyMessages: 10, everyMs: 3_600_000 } });
    ref.tell('inc');
    console.log(`idle; state ${await ref.ask<number>('get')}`);
    break;
  }
  default:
    throw new Error(`unknown scenario ${String(scenario)}`);
}
