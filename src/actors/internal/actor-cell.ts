/**
 * The actor cell owns one actor's mailbox, state, children and watchers, and runs its messages one
 * at a time when the dispatcher gives it a slice. Invariants: at most one message (or lifecycle
 * hook) is in progress, and an actor is `parked` exactly while a promise from it is pending; it is
 * in the run queue (`scheduled`) at most once; state changes only between messages.
 */
import { nanoid } from 'nanoid';
import { ActorFailedError, ActorStoppedError, InvalidOptionError, MailboxOverflowError } from '../../errors.js';
import { positiveNumberOrInfinity } from '../../internal/validate.js';
import type { DeadLetterReason } from '../../mailbox/dead-letters.js';
import { Mailbox, type DropReason, type MailboxMetrics } from '../../mailbox/mailbox.js';
import { DIRECTIVES, type Directive } from '../../supervision/directive.js';
import type { ActorRef, ActorStatus, AnyActorRef, AskOptions } from '../actor-ref.js';
import { Ask } from './ask.js';
import type { ActorDefinition } from '../behavior.js';
import type { ActorContext } from '../context.js';
import type { Runnable } from './dispatcher.js';
import type { HookFailedEvent } from '../events.js';
import { LocalActorRef, targetOf, type RefTarget } from './local-actor-ref.js';
import type { ChildCell, ParentSlot, Runtime, StopMode } from './runtime.js';
import type { ResolvedSpawnOptions } from '../spawn-options.js';
import type { StopReason, Terminated } from '../terminated.js';

type Entry<TMessage> = TMessage | Ask<TMessage>;

type SystemMessage =
  | { readonly kind: 'terminated'; readonly terminated: Terminated; readonly toMessage: ((t: Terminated) => unknown) | undefined }
  | { readonly kind: 'child-failed'; readonly child: string; readonly error: unknown };

type WatchMapper = ((terminated: Terminated) => unknown) | undefined;

const RESOLVED = Promise.resolve();

/** What `#process` left the actor doing. */
const CONTINUE = 0;
const HALT = 1;
const AWAITING = 2;
type ProcessOutcome = typeof CONTINUE | typeof HALT | typeof AWAITING;

export class ActorCell<TState, TMessage> implements Runnable, RefTarget<TMessage>, ChildCell, ParentSlot {
  readonly id: string;
  readonly name: string;
  readonly path: string;
  readonly ref: ActorRef<TMessage>;
  readonly children = new Map<string, ChildCell>();

  readonly #runtime: Runtime;
  readonly #parent: ParentSlot;
  readonly #definition: ActorDefinition<TState, TMessage>;
  readonly #options: ResolvedSpawnOptions;
  readonly #mailbox: Mailbox<Entry<TMessage>, SystemMessage>;
  readonly #context: ActorContext<TMessage>;
  readonly #watchers = new Map<ActorCell<unknown, unknown>, WatchMapper>();
  readonly #watching = new Set<ActorCell<unknown, unknown>>();
  #state: TState;
  #status: ActorStatus = 'starting';
  /** New messages are accepted (false once a stop was requested). */
  #accepting = true;
  /** Queued user messages may be processed now. */
  #open = false;
  #parked = false;
  #scheduled = false;
  #startBegun = false;
  #startCompleted = false;
  #restarts = 0;
  #currentAsk: Ask<TMessage> | undefined;
  #stopMode: StopMode = 'discard';
  #stopReason: StopReason = 'requested';
  #stopped: Promise<void> | undefined;
  #whenQuiescent: (() => void) | undefined;

  constructor(
    runtime: Runtime,
    parent: ParentSlot,
    definition: ActorDefinition<TState, TMessage>,
    options: ResolvedSpawnOptions,
  ) {
    parent.assertCanSpawn();
    this.id = nanoid();
    this.name = options.name ?? `actor-${this.id}`;
    this.path = `${parent.path}/${this.name}`;
    if (parent.children.has(this.name)) {
      throw new InvalidOptionError('name', `a name no other child of ${parent.path} holds`, this.name);
    }
    this.#runtime = runtime;
    this.#parent = parent;
    this.#definition = definition;
    this.#options = options;
    this.#mailbox = new Mailbox<Entry<TMessage>, SystemMessage>(
      options.mailbox,
      this.path,
      (entry, reason) => this.#dropped(entry, reason),
      unwrap,
    );
    this.#state = definition.initialState();
    this.ref = new LocalActorRef<TMessage>(this);
    this.#context = createContext(this, runtime, parent);
    parent.children.set(this.name, this);
    this.#wake();
  }

  get status(): ActorStatus {
    return this.#status;
  }

  // ─── Sending ────────────────────────────────────────────────────────────────────────────────

  tell(message: TMessage): boolean {
    if (!this.#accepting) return this.#refuse(message);
    if (!this.#mailbox.offer(message)) return false;
    this.#wake();
    return true;
  }

  send(message: TMessage): Promise<void> {
    if (!this.#accepting) {
      this.#refuse(message);
      return Promise.reject(new ActorStoppedError(this.path, message));
    }
    const waiting = this.#mailbox.offerOrWait(message);
    if (waiting !== undefined) return waiting;
    this.#wake();
    return RESOLVED;
  }

  ask(message: TMessage, options: AskOptions | undefined): Promise<unknown> {
    const timeoutMs =
      options?.timeoutMs === undefined
        ? this.#runtime.askTimeoutMs
        : positiveNumberOrInfinity('timeoutMs', options.timeoutMs);
    if (!this.#accepting) {
      this.#refuse(message);
      return Promise.reject(new ActorStoppedError(this.path, message));
    }
    const { clock, outstandingAsks } = this.#runtime;
    const ask = new Ask(message, this.path, timeoutMs, clock, outstandingAsks as Set<Ask<unknown>>);
    const waiting = this.#mailbox.offerOrWait(ask);
    if (waiting === undefined) this.#wake();
    else waiting.catch((error: unknown) => ask.fail(error));
    return ask.promise;
  }

  stopRequested(): Promise<void> {
    return this.requestStop('discard', 'requested');
  }

  metrics(): MailboxMetrics {
    return this.#mailbox.metrics();
  }

  // ─── Running ────────────────────────────────────────────────────────────────────────────────

  runSlice(): boolean {
    if (this.#mayStart()) this.#start();
    const mailbox = this.#mailbox;
    while (!this.#parked && mailbox.systemSize > 0 && (this.#startCompleted || !this.#accepting)) {
      this.#handleSystem(mailbox.takeSystem());
    }
    if (!this.#parked && this.#open) this.#processMailbox();
    const more = this.#hasWork();
    if (!more) this.#scheduled = false;
    this.#checkQuiescent();
    return more;
  }

  #processMailbox(): void {
    const mailbox = this.#mailbox;
    let budget = this.#options.messageBudget;
    let processed = 0;
    while (budget > 0 && mailbox.size > 0) {
      budget--;
      processed++;
      const entry = mailbox.take();
      let message: TMessage;
      if (entry instanceof Ask) {
        this.#currentAsk = entry as Ask<TMessage>;
        message = entry.message as TMessage;
      } else {
        message = entry;
      }
      const outcome = this.#process(message);
      if (outcome !== CONTINUE) {
        if (outcome === AWAITING) processed--; // counted when it settles
        break;
      }
    }
    mailbox.recordProcessed(processed);
  }

  /** Handles one message and says whether the actor may take another now. */
  #process(message: TMessage): ProcessOutcome {
    let next: TState | Promise<TState>;
    try {
      next = this.#definition.receive(this.#state, message, this.#context);
    } catch (error) {
      this.#handlerFailed(error, message);
      return this.#open && !this.#parked ? CONTINUE : HALT;
    }
    if (next instanceof Promise) {
      this.#awaitResult(next, message);
      return AWAITING;
    }
    this.#state = next;
    this.#currentAsk = undefined;
    return this.#open ? CONTINUE : HALT;
  }

  #awaitResult(pending: Promise<TState>, message: TMessage): void {
    this.#parked = true;
    pending.then(
      (next) => {
        this.#parked = false;
        this.#state = next;
        this.#currentAsk = undefined;
        this.#mailbox.recordProcessed(1);
        this.#resume();
      },
      (error: unknown) => {
        this.#parked = false;
        this.#mailbox.recordProcessed(1);
        this.#handlerFailed(error, message);
        this.#resume();
      },
    );
  }

  /**
   * Runs a lifecycle hook that may return a promise; `then` continues once it has finished (or
   * failed, after a `hook-failed` event), so a slow hook parks the actor like a slow handler.
   */
  #runHook(hook: HookFailedEvent['hook'], call: () => unknown, then: (failed: boolean) => void): void {
    const failed = (error: unknown): void => {
      this.#emitHookFailed(hook, error);
      then(true);
    };
    let result: unknown;
    try {
      result = call();
    } catch (error) {
      failed(error);
      return;
    }
    if (!(result instanceof Promise)) {
      then(false);
      return;
    }
    this.#parked = true;
    result.then(
      () => {
        this.#parked = false;
        then(false);
        this.#resume();
      },
      (error: unknown) => {
        this.#parked = false;
        failed(error);
        this.#resume();
      },
    );
  }

  /** After a promise settled: let a waiting stop proceed, or get back in the run queue. */
  #resume(): void {
    this.#checkQuiescent();
    if (this.#hasWork()) this.#wake();
  }

  #hasWork(): boolean {
    if (this.#parked) return false;
    if (this.#mayStart()) return true;
    const mailbox = this.#mailbox;
    if (mailbox.systemSize > 0 && (this.#startCompleted || !this.#accepting)) return true;
    return this.#open && mailbox.size > 0;
  }

  /** An actor starts when spawned, or when asked to drain before it got its first slice. */
  #mayStart(): boolean {
    return !this.#startBegun && (this.#accepting || this.#stopMode === 'drain');
  }

  #wake(): void {
    if (this.#scheduled || this.#parked) return;
    this.#scheduled = true;
    this.#runtime.dispatcher.enqueue(this);
  }

  // ─── Lifecycle ──────────────────────────────────────────────────────────────────────────────

  #start(): void {
    this.#startBegun = true;
    const started = this.#definition.started;
    this.#runHook(
      'started',
      () => started?.call(this.#definition, this.#state, this.#context),
      (failed) => {
        if (failed) {
          void this.requestStop('discard', 'failed');
          return;
        }
        this.#startCompleted = true;
        if (this.#accepting) {
          this.#status = 'running';
          this.#open = true;
          this.#emitLifecycle('actor-started');
        } else {
          this.#open = this.#stopMode === 'drain';
        }
      },
    );
  }

  #restart(error: unknown): void {
    const { restarting, started } = this.#definition;
    const dropped = this.#state;
    this.#runHook(
      'restarting',
      () => restarting?.call(this.#definition, dropped, error, this.#context),
      () => {
        let fresh: TState;
        try {
          fresh = this.#definition.initialState();
        } catch (initError) {
          this.#emitHookFailed('initialState', initError);
          void this.requestStop('discard', 'failed');
          return;
        }
        this.#state = fresh;
        this.#restarts++;
        const { events, clock } = this.#runtime;
        if (events.hasSubscribers) {
          const at = clock.now();
          events.publish({ type: 'actor-restarted', path: this.path, id: this.id, at, restarts: this.#restarts, error });
        }
        this.#runHook(
          'started',
          () => started?.call(this.#definition, fresh, this.#context),
          (failed) => {
            if (failed) void this.requestStop('discard', 'failed');
          },
        );
      },
    );
  }

  /**
   * Stops this actor: waits for the message in progress (and, in drain mode, for the queue to
   * empty), dead-letters what is left, stops children last-started first, runs `stopping`, and
   * tells watchers. Idempotent: a second request returns the first one's promise.
   */
  requestStop(mode: StopMode, reason: StopReason): Promise<void> {
    if (this.#stopped !== undefined) return this.#stopped;
    this.#accepting = false;
    this.#status = 'stopping';
    this.#stopMode = mode;
    this.#stopReason = reason;
    this.#open = this.#startCompleted && mode === 'drain';
    this.#stopped = this.#runStop();
    return this.#stopped;
  }

  async #runStop(): Promise<void> {
    // A stop requested from inside a handler must not see the actor as idle before that handler
    // has returned its promise (and parked the actor): look only after the current call stack.
    await RESOLVED;
    while (!this.#isQuiescent()) {
      await new Promise<void>((resolve) => {
        this.#whenQuiescent = resolve;
        if (this.#hasWork()) this.#wake();
      });
    }
    this.#open = false;
    this.#discardMailbox();
    for (const child of [...this.children.values()].reverse()) await child.requestStop(this.#stopMode, 'shutdown');
    const stopping = this.#definition.stopping;
    if (this.#startBegun && stopping !== undefined) {
      await new Promise<void>((resolve) => {
        this.#runHook('stopping', () => stopping.call(this.#definition, this.#state, this.#context), () => resolve());
      });
    }
    this.#finish();
  }

  /** Wakes a stop waiting for the message in progress (and, when draining, the queue) to finish. */
  #checkQuiescent(): void {
    const resolve = this.#whenQuiescent;
    if (resolve === undefined || !this.#isQuiescent()) return;
    this.#whenQuiescent = undefined;
    resolve();
  }

  /** Nothing in progress, and nothing left that a draining stop still has to process. */
  #isQuiescent(): boolean {
    return !this.#parked && !this.#mayStart() && !(this.#open && this.#mailbox.size > 0);
  }

  #finish(): void {
    this.#status = 'stopped';
    this.#discardMailbox();
    if (this.#parent.children.get(this.name) === this) this.#parent.children.delete(this.name);
    for (const target of this.#watching) target.#watchers.delete(this as ActorCell<unknown, unknown>);
    this.#watching.clear();
    const terminated: Terminated = { type: 'terminated', ref: this.ref as AnyActorRef, reason: this.#stopReason };
    for (const [watcher, toMessage] of this.#watchers) watcher.#pushSystem({ kind: 'terminated', terminated, toMessage });
    this.#watchers.clear();
    this.#emitLifecycle('actor-stopped');
  }

  /** Dead-letters every queued message and rejects waiting senders and asks. */
  #discardMailbox(): void {
    const { queued, waiting } = this.#mailbox.close();
    for (const entry of queued) this.#undeliverable(entry, 'unprocessed');
    for (const { entry, reject } of waiting) {
      this.#undeliverable(entry, 'unprocessed');
      reject(new ActorStoppedError(this.path, unwrap(entry)));
    }
    for (const message of this.#mailbox.drainSystem()) {
      if (message.kind === 'terminated') this.#deadLetter('unprocessed', message.terminated);
    }
  }

  // ─── Failure ────────────────────────────────────────────────────────────────────────────────

  #handlerFailed(error: unknown, message: TMessage): void {
    const ask = this.#currentAsk;
    this.#currentAsk = undefined;
    this.#deadLetter('handler-failed', message, error);
    ask?.fail(new ActorFailedError(this.path, error));
    this.#failed(error, message);
  }

  #failed(error: unknown, message: unknown): void {
    const directive = this.#decide(error);
    const { events, clock } = this.#runtime;
    if (events.hasSubscribers) {
      events.publish({ type: 'actor-failed', path: this.path, id: this.id, at: clock.now(), error, message, directive });
    }
    switch (directive) {
      case 'resume':
        return;
      case 'restart':
        this.#restart(error);
        return;
      case 'stop':
        void this.requestStop('discard', 'failed');
        return;
      case 'escalate':
        if (events.hasSubscribers) {
          events.publish({ type: 'actor-escalated', path: this.path, id: this.id, at: clock.now(), error });
        }
        void this.requestStop('discard', 'escalated');
        this.#parent.childFailed(this.path, error);
        return;
    }
  }

  /** The decider's directive; a decider that throws or answers nonsense stops the actor. */
  #decide(error: unknown): Directive {
    try {
      const directive = this.#options.decide(error);
      if (DIRECTIVES.includes(directive)) return directive;
    } catch (deciderError) {
      this.#emitHookFailed('decide', deciderError);
    }
    return 'stop';
  }

  // ─── System lane ────────────────────────────────────────────────────────────────────────────

  #pushSystem(message: SystemMessage): void {
    if (this.#status === 'stopped') {
      if (message.kind === 'terminated') this.#deadLetter('unprocessed', message.terminated);
      return;
    }
    this.#mailbox.pushSystem(message);
    this.#wake();
  }

  #handleSystem(message: SystemMessage): void {
    switch (message.kind) {
      case 'terminated': {
        if (!this.#open) {
          this.#deadLetter('unprocessed', message.terminated);
          return;
        }
        let delivered: TMessage;
        try {
          delivered = (message.toMessage?.(message.terminated) ?? message.terminated) as TMessage;
        } catch (error) {
          this.#handlerFailed(error, message.terminated as TMessage);
          return;
        }
        if (this.#process(delivered) !== AWAITING) this.#mailbox.recordProcessed(1);
        return;
      }
      case 'child-failed':
        if (this.#accepting) this.#failed(new ActorFailedError(message.child, message.error), undefined);
        return;
    }
  }

  // ─── Parent side ────────────────────────────────────────────────────────────────────────────

  assertCanSpawn(): void {
    if (!this.#accepting) throw new ActorStoppedError(this.path, undefined);
  }

  childFailed(childPath: string, error: unknown): void {
    this.#pushSystem({ kind: 'child-failed', child: childPath, error });
  }

  watch(ref: AnyActorRef, toMessage: WatchMapper): void {
    const target = targetOf(ref);
    if (!(target instanceof ActorCell)) throw new InvalidOptionError('ref', 'a ref of a local actor', ref);
    const watched = target as ActorCell<unknown, unknown>;
    const self = this as ActorCell<unknown, unknown>;
    if (watched.#status === 'stopped') {
      const terminated: Terminated = { type: 'terminated', ref: watched.ref as AnyActorRef, reason: watched.#stopReason };
      this.#pushSystem({ kind: 'terminated', terminated, toMessage });
      return;
    }
    watched.#watchers.set(self, toMessage);
    this.#watching.add(watched);
  }

  unwatch(ref: AnyActorRef): void {
    const target = targetOf(ref);
    if (!(target instanceof ActorCell)) return;
    const watched = target as ActorCell<unknown, unknown>;
    watched.#watchers.delete(this as ActorCell<unknown, unknown>);
    this.#watching.delete(watched);
  }

  reply(value: unknown): boolean {
    const ask = this.#currentAsk;
    if (ask === undefined) return false;
    if (ask.reply(value)) return true;
    this.#deadLetter('late-reply', value);
    return false;
  }

  // ─── Reporting ──────────────────────────────────────────────────────────────────────────────

  #refuse(message: TMessage): false {
    this.#deadLetter('recipient-stopped', message);
    return false;
  }

  #dropped(entry: Entry<TMessage>, reason: DropReason): void {
    this.#deadLetter(reason, unwrap(entry));
    if (entry instanceof Ask) {
      const capacity = this.#mailbox.metrics().capacity;
      entry.fail(new MailboxOverflowError(this.path, capacity, entry.message));
    }
  }

  #undeliverable(entry: Entry<TMessage>, reason: DeadLetterReason): void {
    this.#deadLetter(reason, unwrap(entry));
    if (entry instanceof Ask) entry.fail(new ActorStoppedError(this.path, entry.message));
  }

  #deadLetter(reason: DeadLetterReason, message: unknown, error?: unknown): void {
    const at = this.#runtime.clock.now();
    const letter = error === undefined
      ? { reason, recipient: this.path, message, at }
      : { reason, recipient: this.path, message, error, at };
    this.#runtime.deadLetters.post(letter);
  }

  #emitLifecycle(type: 'actor-started' | 'actor-stopped'): void {
    const { events, clock } = this.#runtime;
    if (!events.hasSubscribers) return;
    const at = clock.now();
    if (type === 'actor-started') events.publish({ type, path: this.path, id: this.id, at });
    else events.publish({ type, path: this.path, id: this.id, at, reason: this.#stopReason });
  }

  #emitHookFailed(hook: HookFailedEvent['hook'], error: unknown): void {
    const { events, clock } = this.#runtime;
    if (events.hasSubscribers) events.publish({ type: 'hook-failed', hook, path: this.path, id: this.id, at: clock.now(), error });
  }
}

function unwrap<TMessage>(entry: Entry<TMessage>): TMessage {
  return entry instanceof Ask ? (entry.message as TMessage) : entry;
}

/** The parts of a cell its context forwards to. */
interface ContextTarget<TMessage> extends ParentSlot {
  readonly ref: ActorRef<TMessage>;
  reply(value: unknown): boolean;
  requestStop(mode: StopMode, reason: StopReason): Promise<void>;
  watch(ref: AnyActorRef, toMessage: WatchMapper): void;
  unwatch(ref: AnyActorRef): void;
}

function createContext<TMessage>(
  cell: ContextTarget<TMessage>,
  runtime: Runtime,
  parent: ParentSlot,
): ActorContext<TMessage> {
  const context = {
    self: cell.ref,
    parent: parent.ref,
    system: runtime.system,
    clock: runtime.clock,
    reply: (value: unknown) => cell.reply(value),
    spawn: <S, M>(definition: ActorDefinition<S, M>, options?: Parameters<ActorContext<TMessage>['spawn']>[1]) =>
      runtime.spawn(cell, definition, options),
    children: () => [...cell.children.values()].map((child) => child.ref),
    stop: () => void cell.requestStop('discard', 'requested'),
    watch: (ref: AnyActorRef, toMessage?: (terminated: Terminated) => TMessage) => cell.watch(ref, toMessage),
    unwatch: (ref: AnyActorRef) => cell.unwatch(ref),
  };
  return context as ActorContext<TMessage>;
}
