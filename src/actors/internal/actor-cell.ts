/**
 * The actor cell owns one actor's mailbox, state, restart point and children, and runs its
 * messages one at a time when the dispatcher gives it a slice. Its position in life is one phase
 * value (`cell-phase.ts`) with a stop request beside it (`stop-request.ts`); it calls named
 * collaborators for the rest: the recovery (restart point, replay queue, sequence numbers) and the
 * extras (behaviour, stash, timers, pipes), death watch and links, the failure series
 * (supervision's decisions), its restarts, its children's registry and the reporter (dead letters
 * and events). It stays one class because its lifecycle steps — start, handle, restart, stop — all
 * move the same few fields, and splitting them would spread each invariant over several files.
 *
 * Invariants: at most one message or lifecycle step is in progress (a busy phase); the cell is in
 * the run queue (its `Flag.Scheduled` bit) at most once; state changes only between messages; every entry taken
 * since the last snapshot is in the restart point's log (or, with per-message snapshots, is the
 * entry in progress), so a restart loses nothing.
 *
 * Most actors never need most collaborators, so each is made on first use (the fields ending in
 * `Of`), and one not made yet is as a fresh actor's would be: no log, nothing to replay, no
 * extras, nobody watching or linked, no failure, no restart. Code that only reads a collaborator
 * reads its field and takes absence for that; code that changes one goes through the method of
 * the same name without `Of`, which makes it. A collaborator made in the middle of a handler
 * starts as if it had been there when the handler's message was taken. They are private methods,
 * not private getters: V8 (Node 20) reads a private getter through a call into its runtime, about
 * 2 ns each, and some of them are read for every message.
 */
import { ActorFailedError, ActorStoppedError, InvalidOptionError, RestartIntensityExceededError } from '../../errors.js';
import { ACCEPTED } from '../../internal/accepted.js';
import { positiveNumberOrInfinity } from '../../internal/validate.js';
import { Mailbox, type DropReason, type MailboxMetrics, type MailboxOwner } from '../../mailbox/mailbox.js';
import { KeyedState } from '../../state/keyed-state.js';
import type { FailureOutcome } from '../../supervision/failure-outcome.js';
import { restartsAfter } from '../../supervision/restart-type.js';
import type { ActorRef, ActorStatus, AnyActorRef, AskOptions } from '../actor-ref.js';
import type { ActorMetrics } from '../actor-metrics.js';
import type { ActorDefinition } from '../behavior.js';
import type { ActorContext } from '../context.js';
import type { HookFailedEvent } from '../events.js';
import type { Exit, ExitReason } from '../exit.js';
import type { ResolvedSpawnOptions } from '../spawn-options.js';
import type { StopReason, Terminated } from '../terminated.js';
import { idOfGeneratedName, newActorId, newActorName } from './actor-id.js';
import { Ask } from './ask.js';
import { behaviorSetOf } from './behavior-set.js';
import { CellExtras, isUnstashedMarker } from './cell-extras.js';
import type { CellPhase } from './cell-phase.js';
import { CellReporter } from './cell-reporter.js';
import { createContext, type ContextTarget, type WatchMapper } from './cell-context.js';
import { ChildRegistry, type ReadonlyChildren } from './child-registry.js';
import { DeathWatch } from './death-watch.js';
import type { Runnable } from './dispatcher.js';
import { Envelope, Sequenced, unwrap, type Entry } from './envelope.js';
import { FailureSeries } from './failure-series.js';
import { Links, exitReasonOf, linkedFailure } from './links.js';
import { LocalActorRef, targetOf, type RefTarget } from './local-actor-ref.js';
import { isSequencedTarget } from './sequenced-target.js';
import { Persistence } from './persistence.js';
import { attachCell, selfPersistingAs } from './self-persisting.js';
import type { ReplayQueue } from './replay-queue.js';
import { Recovery } from './recovery.js';
import { Restarts } from './restarts.js';
import { SelfMessage } from './self-messages.js';
import { SnapshotSchedule } from './snapshot-schedule.js';
import { STARTED, StartOutcome } from './start-outcome.js';
import { StopDeadline } from './stop-deadline.js';
import { stopInTurn } from './stop-in-turn.js';
import { StopRequest } from './stop-request.js';
import { versioningOf } from './state-migration.js';
import { SupervisorState, escalationError, type RestartTurn } from './supervisor-state.js';
import type { ChildCell, ParentSlot, SystemServices, StopMode } from './system-services.js';

type SystemMessage =
  | { readonly kind: 'terminated'; readonly terminated: Terminated; readonly toMessage: WatchMapper }
  | { readonly kind: 'child-failed'; readonly child: string; readonly error: unknown }
  | { readonly kind: 'restart'; readonly cause: unknown; readonly turn: RestartTurn }
  | { readonly kind: 'exit'; readonly exit: Exit };

/** The lifecycle as the cell holds it, for the lifecycle property test. */
export interface CellLifecycle {
  readonly phase: CellPhase;
  readonly stop: StopMode | undefined;
  readonly replay: 'none' | 'handed-back' | 'replaying';
  readonly replayUntilStop: boolean;
  readonly restartFreshAfterStep: boolean;
}

const RESOLVED = Promise.resolve();

/** The children of every actor that has had none: shared, as nothing is ever added to it. */
const NO_CHILDREN: ReadonlyChildren<ChildCell> = new ChildRegistry<ChildCell>();

/** An actor spawned without a name has the id in the name it is given when asked for: its id is cut from it. */
const IN_GENERATED_NAME: unique symbol = Symbol('id in the generated name');

/** Default snapshot interval of keyed state, whose snapshots are views rather than references. */
const KEYED_EVERY_MESSAGES = 1000;

/**
 * The bits of a cell's flags: yes-or-no facts kept in one small integer, one field per actor rather
 * than one each. A `const enum`, so each use compiles to its number: a module's `const` is a slot
 * of the module's context, which optimized code loads and checks at every use (about ten
 * instructions a message on the mailbox loop's path, six on `tell`'s).
 */
const enum Flag {
  /** In the run queue. */
  Scheduled = 1,
  /** Shallow-freezes each new state: development mode, and state that is a plain object. */
  Freezes = 2,
  /**
   * Nothing made around its handler yet — no extras, log, failure series, snapshot schedule or
   * restarts — and no stop requested: what `#plain` asks after every message besides
   * the envelope count. Only ever turned off, by `#madeAround`.
   */
  Bare = 4,
}

export class ActorCell<TState, TMessage>
  implements Runnable, RefTarget<TMessage>, ChildCell, ParentSlot, MailboxOwner<Entry<TMessage>>, ContextTarget<TMessage>
{
  readonly ref: ActorRef<TMessage>;
  /** Made by the first child: most actors have none. */
  #children: ChildRegistry<ChildCell> | undefined;
  /** Its neighbours among its parent's children, in start order: written by the parent's registry alone. */
  previousSibling: ChildCell | undefined;
  nextSibling: ChildCell | undefined;

  readonly #services: SystemServices;
  readonly #parent: ParentSlot;
  readonly #definition: ActorDefinition<TState, TMessage>;
  readonly #options: ResolvedSpawnOptions;
  /**
   * The mailbox and the context are made at spawn, though an actor that is never sent anything
   * needs neither: made by the first message, they would be new objects pointed at from an actor
   * the collector has already moved to its old generation, which costs it more than objects made
   * with their actor. A first tell to each of a million actors took 1.2 s so, 0.75 s with both made
   * at spawn (the mailbox's storage is still made by its first message).
   */
  readonly #mailbox: Mailbox<Entry<TMessage>, SystemMessage>;
  readonly #context: ActorContext<TMessage>;
  // Everything below that ends in `Of` is made the first time it is needed, through the method of
  // the same name without `Of` (`#recovery()`, `extras`, …); code that only reads reads the field,
  // so an actor that never runs a handler, fails, watches, links, supervises, snapshots, stashes or
  // stops pays a field for each, not an object. The table in docs/actors.md ("One actor per
  // entity") says when each is made.
  /** The name given at spawn, or one generated when first asked for (see {@link name}). */
  #nameOf: string | undefined;
  /** Its id once made; until then {@link IN_GENERATED_NAME} for an actor spawned without a name. */
  #idOf: string | typeof IN_GENERATED_NAME | undefined;
  #pathOf: string | undefined;
  #supervisorOf: SupervisorState<ChildCell> | undefined;
  #failuresOf: FailureSeries<TMessage> | undefined;
  #deathWatchOf: DeathWatch | undefined;
  #linksOf: Links | undefined;
  #restartsOf: Restarts | undefined;
  /** Restart point, link sequence numbers and replay: at spawn only for an actor that keeps a log. */
  #recoveryOf: Recovery<TState, Entry<TMessage>> | undefined;
  /** At spawn for an actor with a store or `everyMs`, else by the first snapshot asked for. */
  #snapshotsOf: SnapshotSchedule<TState> | undefined;
  /** Behaviour, stash, timers and pipes: what its snapshots hold besides the state. */
  #extrasOf: CellExtras<TMessage> | undefined;
  /**
   * Made when someone waits for the start; a start that succeeds first shares {@link STARTED}, and
   * one made after the start failed or the actor stopped is settled at once.
   */
  #startOutcomeOf: StartOutcome | undefined;
  #state: TState;
  /**
   * While the plain loop runs, the state it hands each handler, in an object made for the slice:
   * young, so storing each new object state in it skips the write barrier's slow path that a store
   * into the cell (long since in the old generation) takes, about 50 instructions. Read through
   * {@link #handedState} by whatever a handler may make that needs the state.
   */
  #held: { state: TState } | undefined;
  #phase: CellPhase = 'new';
  /** Set once a stop is requested: from then on the actor accepts nothing new. */
  #stop: StopRequest | undefined;
  /** Bits of {@link Flag}. */
  #flags: number = Flag.Bare;
  /**
   * At least as many envelopes as the mailbox holds (counted as they come in, not seen again when
   * dropped): while none, a message taken is bare, and needs no `instanceof` to tell.
   */
  #envelopes = 0;
  /** The entry being handled (an ask among them is the one `ctx.reply` answers). */
  #current: Entry<TMessage> | undefined;
  /** How many entries were taken from the mailbox: each one's ordinal, kept through replays. */
  #taken = 0;
  #currentOrdinal = 0;

  /** `name`: as the spawn gave it (validated), or undefined for a generated one. */
  constructor(
    services: SystemServices,
    parent: ParentSlot,
    definition: ActorDefinition<TState, TMessage>,
    options: ResolvedSpawnOptions,
    name: string | undefined,
  ) {
    parent.assertCanSpawn();
    // A generated name holds a new random id: no sibling holds it, so only a given one is looked up.
    if (name !== undefined && parent.children.has(name)) {
      throw new InvalidOptionError('name', `a name no other child of ${parent.path} holds`, name);
    }
    this.#nameOf = name;
    this.#idOf = name === undefined ? IN_GENERATED_NAME : undefined;
    this.#services = services;
    this.#parent = parent;
    this.#definition = definition;
    this.#options = options;
    const initial = definition.initialState();
    const keyed = initial instanceof KeyedState;
    if (services.freezeState && !keyed) this.#flags |= Flag.Freezes;
    this.#state = this.#freeze(initial);
    const { everyMessages, everyMs, store, key } = options.snapshot;
    const logs = keyed || store !== undefined || everyMs !== undefined || (everyMessages ?? 1) > 1;
    if (logs) this.#recoveryOf = this.#madeAround(new Recovery<TState, Entry<TMessage>>(this.#state, everyMessages ?? (keyed ? KEYED_EVERY_MESSAGES : 1)));
    // Behaviours are marked before each message, and a store's snapshots hold the extras: both need them from the start.
    if (behaviorSetOf(definition) !== undefined) void this.extras;
    const persistence = store === undefined ? undefined : new Persistence<TState>(store, key ?? this.path, versioningOf(definition), this.extras);
    // With a store or a timer the schedule has work from the start; else only once asked for a snapshot.
    if (persistence !== undefined || everyMs !== undefined) this.#snapshotsOf = this.#madeAround(this.#makeSnapshots(persistence));
    this.#mailbox = new Mailbox<Entry<TMessage>, SystemMessage>(options.mailbox, this);
    this.ref = new LocalActorRef<TMessage>(this);
    this.#context = createContext(this);
    const selfPersisting = selfPersistingAs(definition);
    if (selfPersisting !== undefined) attachCell(selfPersisting, options.snapshot, this.#context, (event) => this.#report().emit(event));
    parent.addChild(this);
    this.#wake();
  }

  /**
   * The name given at spawn, else `actor-<id>` with a new id, made when first asked for: no sibling
   * can hold it (it holds 126 random bits), so nothing tells when it was made, and an actor nobody
   * names or looks up holds no name at all.
   */
  get name(): string {
    return (this.#nameOf ??= newActorName());
  }

  /** Random, made when first asked for (cut from a generated name): nothing tells when that was. */
  get id(): string {
    const id = this.#idOf;
    if (typeof id === 'string') return id;
    return (this.#idOf = id === IN_GENERATED_NAME ? idOfGeneratedName(this.name) : newActorId());
  }

  /** Its parent's path and its name, joined when first asked for: most actors are never asked. */
  get path(): string {
    return (this.#pathOf ??= `${this.#parent.path}/${this.name}`);
  }

  /** The system's services, for its context. */
  get services(): SystemServices {
    return this.#services;
  }

  /** Its parent's ref, for its context; undefined at the top level. */
  get parentRef(): AnyActorRef | undefined {
    return this.#parent.ref;
  }

  /** A reporter for this actor, made for each use: dead letters and events are rare, and an actor holds one field less. */
  #report(): CellReporter {
    return new CellReporter(this.#services, this.path, this.id);
  }

  /** Whether anyone listens to events: where every actor emits one, it is built only then (and the reporter made). */
  #listened(): boolean {
    return this.#services.events.hasSubscribers;
  }

  #recovery(): Recovery<TState, Entry<TMessage>> {
    return (this.#recoveryOf ??= this.#madeAround(new Recovery<TState, Entry<TMessage>>(this.#handedState(), undefined)));
  }

  /** `made` (a collaborator, or the stop request), noting that the actor is no longer {@link Flag.Bare}. */
  #madeAround<T>(made: T): T {
    this.#flags &= ~Flag.Bare;
    return made;
  }

  /** Replay queue of the recovery, if there is one: without one nothing was ever handed back. */
  #replay(): ReplayQueue<Entry<TMessage>> | undefined {
    return this.#recoveryOf?.replay;
  }

  /** The extras, made on first use; made by a handler, they start as if they had been there when its message was taken. */
  get extras(): CellExtras<TMessage> {
    if (this.#extrasOf !== undefined) return this.#extrasOf;
    const current = this.#current;
    const now = this.#phase === 'handling' && current !== undefined ? { entry: current, ordinal: this.#currentOrdinal, highest: this.#taken } : undefined;
    const extras = new CellExtras<TMessage>(
      {
        path: this.path,
        clock: this.#services.clock,
        report: this.#report(),
        behaviors: behaviorSetOf(this.#definition),
        stash: this.#options.stash,
        overflow: this.#options.mailbox.overflow,
        handling: () => this.#phase === 'handling',
        deliverOrWait: (entry) => this.deliverOrWait(entry),
      },
      now,
    );
    if (this.#stop !== undefined) extras.stop();
    this.#recovery().attach(extras);
    return (this.#extrasOf = this.#madeAround(extras));
  }

  /** The overflow policy dropped `entry`: {@link MailboxOwner}. */
  dropped(entry: Entry<TMessage>, reason: DropReason): void {
    this.#report().dropped(entry, reason, () => this.#mailbox.metrics().capacity);
  }

  /** {@link MailboxOwner} */
  messageOf(entry: Entry<TMessage>): unknown {
    return unwrap(entry);
  }

  #makeSnapshots(persistence: Persistence<TState> | undefined): SnapshotSchedule<TState> {
    return new SnapshotSchedule(persistence, this.#options.snapshot.everyMs, this.#services.clock, {
      path: this.path,
      accepting: () => this.#stop === undefined,
      capture: this.#recoveryOf?.capturer(() => this.#handedState()),
      wake: () => this.#wake(),
      emit: (event) => this.#report().emit(event),
    });
  }

  #snapshots(): SnapshotSchedule<TState> {
    return (this.#snapshotsOf ??= this.#madeAround(this.#makeSnapshots(undefined)));
  }

  #startOutcome(): StartOutcome {
    if (this.#startOutcomeOf !== undefined) return this.#startOutcomeOf;
    const outcome = new StartOutcome(() => this.exitReason());
    if (this.#phase === 'start-failed' || this.#phase === 'stopped') outcome.settle(false);
    return (this.#startOutcomeOf = outcome);
  }

  #supervisor(): SupervisorState<ChildCell> {
    return (this.#supervisorOf ??= new SupervisorState<ChildCell>(this.#options.supervisor, this.#services.clock));
  }

  #failures(): FailureSeries<TMessage> {
    return (this.#failuresOf ??= this.#madeAround(new FailureSeries(this.#options.supervision, this.#report())));
  }

  #deathWatch(): DeathWatch {
    return (this.#deathWatchOf ??= new DeathWatch((terminated, toMessage) => this.#pushSystem({ kind: 'terminated', terminated, toMessage })));
  }

  #links(): Links {
    if (this.#linksOf !== undefined) return this.#linksOf;
    const links = new Links(
      (exit) => this.#pushSystem({ kind: 'exit', exit }),
      () => ({ type: 'exit', ref: this.ref as AnyActorRef, reason: exitReasonOf(this.#stop?.reason ?? 'requested', this.#stop?.error) }),
      this.#options.trapExits ?? this.#definition.trapExits ?? false,
    );
    // Made after the actor stopped: those who link to it now hear of its exit at once.
    if (this.#phase === 'stopped') links.ended();
    return (this.#linksOf = links);
  }

  #restarts(): Restarts {
    if (this.#restartsOf !== undefined) return this.#restartsOf;
    const restarts = new Restarts(this.#options.supervision.backoff, this.#services.clock, this.#services.random);
    if (this.#stop !== undefined) restarts.interrupt();
    return (this.#restartsOf = this.#madeAround(restarts));
  }

  get children(): ReadonlyChildren<ChildCell> {
    return this.#children ?? NO_CHILDREN;
  }

  get status(): ActorStatus {
    const phase = this.#phase;
    if (phase === 'stopped') return 'stopped';
    if (this.#stop !== undefined) return 'stopping';
    if (phase === 'new' || phase === 'starting') return 'starting';
    return phase === 'restarting' ? 'restarting' : 'running';
  }

  /** Where this actor is in its life: for the lifecycle property test. */
  lifecycle(): CellLifecycle {
    const replay = this.#replay();
    return {
      phase: this.#phase,
      stop: this.#stop?.mode,
      replay: replay === undefined ? 'none' : replay.active ? 'replaying' : replay.inProgress ? 'handed-back' : 'none',
      replayUntilStop: replay?.untilStop === true,
      restartFreshAfterStep: this.#restartsOf?.freshAfterStep === true,
    };
  }

  // ─── Sending ────────────────────────────────────────────────────────────────────────────────

  tell(message: TMessage): boolean {
    return this.#offer(message);
  }

  send(message: TMessage): Promise<void> {
    return this.#offerOrWait(message);
  }

  /** Enqueues an envelope (a sequenced message, one the runtime sends the actor) without waiting; false when refused, dropped or stopped. */
  deliver(entry: Envelope<TMessage>): boolean {
    this.#envelopes++;
    return this.#offer(entry);
  }

  /** Enqueues an envelope, waiting for room under backpressure. */
  deliverOrWait(entry: Envelope<TMessage>): Promise<void> {
    this.#envelopes++;
    return this.#offerOrWait(entry);
  }

  #offer(entry: Entry<TMessage>): boolean {
    if (this.#stop !== undefined) {
      // A literal `false`, not what `refused` returns: see `Mailbox.offer`.
      this.#report().refused(entry);
      return false;
    }
    // Woken before the offer, not after: a full mailbox (the only one that refuses or throws) holds
    // messages, so its actor is in the run queue or busy already and the wake does nothing; and the
    // offer's rare paths (growing the ring, the overflow policy) are calls, after which optimized
    // code would check the cell's shape again before reading its flags. The mailbox is read before
    // the wake for the same reason: the wake's rare path is a call too.
    const mailbox = this.#mailbox;
    this.#wake();
    return mailbox.offer(entry);
  }

  #offerOrWait(entry: Entry<TMessage>): Promise<void> {
    if (this.#stop !== undefined) {
      this.#report().refused(entry);
      return Promise.reject(new ActorStoppedError(this.path, unwrap(entry)));
    }
    const waiting = this.#mailbox.offerOrWait(entry);
    if (waiting !== undefined) return waiting;
    this.#wake();
    return ACCEPTED;
  }

  ask(message: TMessage, options: AskOptions | undefined): Promise<unknown> {
    const timeoutMs = options?.timeoutMs === undefined ? this.#services.askTimeoutMs : positiveNumberOrInfinity('timeoutMs', options.timeoutMs);
    if (this.#stop !== undefined) {
      this.#report().refused(message);
      return Promise.reject(new ActorStoppedError(this.path, message));
    }
    const { clock, outstandingAsks } = this.#services;
    const ask = new Ask(message, this.path, timeoutMs, clock, outstandingAsks as Set<Ask<unknown>>);
    this.#envelopes++;
    const waiting = this.#mailbox.offerOrWait(ask);
    if (waiting === undefined) {
      this.#wake();
    } else {
      // Withdrawn if it times out still waiting, so a caller that retries after AskTimeoutError
      // does not get the effect twice.
      ask.waitsForRoom((error) => this.#mailbox.withdraw(ask, error));
      waiting.catch((error: unknown) => ask.fail(error));
    }
    return ask.promise;
  }

  /** `ctx.tell`/`ctx.send` from this actor to `ref`, stamped with the next sequence number. */
  sendSequenced<TOther>(ref: ActorRef<TOther>, message: TOther, wait: boolean): boolean | Promise<void> {
    const target = targetOf(ref as AnyActorRef);
    if (!(target instanceof ActorCell)) {
      if (isSequencedTarget(target)) return target.deliverSequenced(message, this.path, this.#recovery().sequences.next(), wait);
      throw new InvalidOptionError('ref', 'a ref of a local actor', ref);
    }
    const entry = new Sequenced(message, this.path, this.#recovery().sequences.next());
    const receiver = target as ActorCell<unknown, TOther>;
    return wait ? receiver.deliverOrWait(entry) : receiver.deliver(entry);
  }

  raiseSequences(epoch: number): boolean {
    return this.#recovery().sequences.raiseTo(epoch);
  }

  stopRequested(): Promise<void> {
    return this.requestStop('discard', 'requested');
  }

  metrics(): MailboxMetrics {
    return this.#mailbox.metrics();
  }

  stats(): ActorMetrics {
    return { path: this.path, status: this.status, ...this.metrics(), failed: this.#failuresOf?.total ?? 0, restarts: this.#restartsOf?.count ?? 0 };
  }

  /** Messages queued, plus one while a message or lifecycle step is in progress: how busy it is, read without allocating. */
  get load(): number {
    return this.#mailbox.size + (this.#busy() ? 1 : 0);
  }

  /** The context its handlers see, for runtime code that acts for this actor outside a handler (a pool spawning its routees). */
  get context(): ActorContext<TMessage> {
    return this.#context;
  }

  // ─── Running ────────────────────────────────────────────────────────────────────────────────

  runSlice(): boolean {
    if (this.#mayStart()) this.#start();
    const mailbox = this.#mailbox;
    while (!this.#busy() && mailbox.systemSize > 0 && this.#systemLaneOpen()) {
      this.#handleSystem(mailbox.takeSystem());
    }
    if (!this.#busy() && (this.#open() || this.#replay()?.untilStop === true)) {
      if (this.#replay()?.inProgress === true) this.#processReplay();
      if (this.#open() && this.#replay()?.inProgress !== true) this.#processMailbox();
      if (this.#snapshotsOf?.isDue === true && this.#open()) this.#snapshots().take();
    }
    const more = this.#hasWork();
    if (!more) this.#flags &= ~Flag.Scheduled;
    this.#checkQuiescent();
    return more;
  }

  #processMailbox(): void {
    const mailbox = this.#mailbox;
    let budget = this.#options.messageBudget;
    let processed = 0;
    if (this.#plain()) {
      processed = this.#processPlain(budget);
      budget -= processed;
      if (this.#phase === 'handling') {
        mailbox.recordProcessed(processed - 1); // awaiting its promise: counted when it settles
        return;
      }
      if (!this.#mayTakeAnother() || this.#replay()?.inProgress === true) {
        mailbox.recordProcessed(processed);
        return;
      }
    }
    while (budget > 0) {
      budget--;
      let entry: Entry<TMessage>;
      let message: TMessage;
      const extras = this.#extrasOf;
      if (extras !== undefined && extras.unstashed > 0) {
        // What `unstashAll` put back goes before the mailbox.
        const unstashed = extras.takeFront();
        if (unstashed === undefined) continue;
        entry = unstashed.entry;
        message = unwrap(entry);
      } else if (mailbox.size > 0) {
        entry = mailbox.take();
        // A prototype walk is the dearest test on this path: only made while an envelope may be queued.
        if (this.#envelopes > 0 && entry instanceof Envelope) {
          this.#envelopes--;
          if (!this.#admit(entry)) continue;
          message = entry.message as TMessage;
        } else {
          message = entry as TMessage;
        }
      } else {
        // Empty, so no sender waits either: whatever the count still held was dropped or withdrawn.
        this.#envelopes = 0;
        break;
      }
      processed++;
      if (!this.#handle(entry, message, ++this.#taken)) {
        if (this.#phase === 'handling') processed--; // awaiting its promise: counted when it settles
        break;
      }
      // A poison message rolled back to the snapshot: what that handed back goes before anything new.
      if (this.#replay()?.inProgress === true) break;
    }
    mailbox.recordProcessed(processed);
  }

  /**
   * Nothing around its handler: no extras, log, failure series, snapshot schedule or restarts made,
   * no envelope queued, no stop requested. Most actors are so, and their messages need none of
   * what the general loop does for each.
   */
  #plain(): boolean {
    return this.#envelopes === 0 && (this.#flags & Flag.Bare) !== 0;
  }

  /**
   * The mailbox loop of a {@link #plain} actor: the phase stays `handling` from one message to the
   * next, as nothing runs in between to see it, and one look at whether the actor is still plain
   * stands for each collaborator's bookkeeping. It ends at an empty mailbox, at the end of the
   * budget, or after a message that leaves the actor otherwise (awaiting a promise, failed, or no
   * longer plain), which it finishes as the general loop would; returns how many messages it took.
   */
  #processPlain(budget: number): number {
    const mailbox = this.#mailbox;
    const definition = this.#definition;
    const context = this.#context;
    let taken = 0;
    const held = { state: this.#state };
    this.#held = held;
    this.#phase = 'handling';
    // `!== 0`, the very test `take` makes first: optimized code then knows its outcome and makes it once.
    while (taken < budget && mailbox.size !== 0) {
      const message = mailbox.take() as TMessage;
      taken++;
      this.#current = message;
      this.#currentOrdinal = ++this.#taken;
      let next: TState | Promise<TState>;
      try {
        next = definition.receive(held.state, message, context);
      } catch (error) {
        this.#release(held);
        this.#handlerFailed(error, message);
        return taken;
      }
      if (next instanceof Promise) {
        this.#release(held);
        this.#awaitResult(next, message);
        return taken;
      }
      if (!this.#plain()) {
        this.#release(held);
        this.#succeeded(next);
        return taken;
      }
      held.state = this.#freeze(next, held.state);
    }
    this.#release(held);
    this.#phase = 'ready';
    this.#current = undefined;
    return taken;
  }

  /** Processes again what a restart handed back, before anything new from the mailbox. */
  #processReplay(): void {
    const recovery = this.#recovery();
    const replay = recovery.replay;
    replay.begin();
    // A poison message found during the replay rolls back again and refills the queue: `next`
    // reads it afresh each time.
    for (let logged = replay.next(); logged !== undefined; logged = replay.next()) {
      const { ordinal } = logged;
      let { entry } = logged;
      if (isUnstashedMarker(entry)) {
        // Taken from the stash's front, which the rollback brought back as it was.
        const unstashed = this.extras.takeFront();
        if (unstashed === undefined) continue;
        entry = unstashed.entry;
      } else if (entry instanceof Sequenced) {
        recovery.sequences.note(entry.sender, entry.seq);
      } else if (entry instanceof SelfMessage) {
        this.extras.admit(entry); // processed again whatever it says: it was taken
      }
      if (!this.#handle(entry, unwrap(entry), ordinal)) break;
    }
    // An async or failing last entry finishes later; the next slice then finds the replay over.
    if (replay.exhausted && !this.#busy()) recovery.replayDone();
  }

  /** A message on a sequenced link, or one the runtime sent this actor: false to drop it, taken already or stale. */
  #admit(entry: Envelope<TMessage>): boolean {
    if (entry instanceof Sequenced) return this.#recovery().sequences.admit(entry.sender, entry.seq);
    // Only the extras' timers and pipes send the actor its own messages: they exist.
    return !(entry instanceof SelfMessage) || this.extras.admit(entry);
  }

  /**
   * Handles one entry (`message` is what it carries) and says whether the actor may take another
   * now; when not, a phase still `handling` says it awaits the promise its handler returned.
   */
  #handle(entry: Entry<TMessage>, message: TMessage, ordinal: number): boolean {
    this.#current = entry;
    this.#recoveryOf?.taken(entry, ordinal);
    this.#currentOrdinal = ordinal;
    this.#phase = 'handling';
    let next: TState | Promise<TState>;
    try {
      next = this.#definition.receive(this.#state, message, this.#context);
    } catch (error) {
      this.#handlerFailed(error, entry);
      return this.#mayTakeAnother();
    }
    if (next instanceof Promise) {
      this.#awaitResult(next, entry);
      return false;
    }
    this.#succeeded(next);
    return this.#mayTakeAnother();
  }

  #succeeded(next: TState): void {
    this.#phase = 'ready';
    this.#state = this.#freeze(next);
    this.#current = undefined;
    // Most actors have none of these collaborators: one test for them all keeps the path short.
    if (this.#failuresOf !== undefined || this.#recoveryOf !== undefined || this.#snapshotsOf !== undefined || this.#restartsOf !== undefined) {
      this.#afterSuccess();
    }
  }

  /** What a success means to the collaborators an actor has made: its failure series, log, snapshots and restarts. */
  #afterSuccess(): void {
    this.#failuresOf?.ended(this.#currentOrdinal);
    if (this.#recoveryOf?.succeeded() === true) this.#snapshots().markDue();
    if (this.#snapshotsOf?.isDue === true) this.#snapshots().take();
    this.#restartIfSelfStopped();
  }

  #awaitResult(pending: Promise<TState>, entry: Entry<TMessage>): void {
    pending.then(
      (next) => {
        if (this.#abandoned()) return;
        this.#mailbox.recordProcessed(1);
        this.#succeeded(next);
        this.#resume();
      },
      (error: unknown) => {
        if (this.#abandoned()) return;
        this.#mailbox.recordProcessed(1);
        this.#handlerFailed(error, entry);
        this.#resume();
      },
    );
  }

  /** After a promise settled: let a waiting stop proceed, or get back in the run queue. */
  #resume(): void {
    this.#checkQuiescent();
    if (this.#hasWork()) this.#wake();
  }

  /** A message or a lifecycle step is in progress: the actor takes nothing else. */
  #busy(): boolean {
    const phase = this.#phase;
    return phase === 'handling' || phase === 'restarting' || phase === 'starting';
  }

  /** User messages may be taken from the mailbox: started, and no stop requested but a draining one. */
  #open(): boolean {
    return this.#phase === 'ready' && (this.#stop === undefined || this.#stop.mode === 'drain');
  }

  /** After a handler: the next entry, from the mailbox or the replay, may be taken in this slice. */
  #mayTakeAnother(): boolean {
    return this.#open() || (this.#phase === 'ready' && this.#replay()?.untilStop === true);
  }

  /** System messages wait for the start to complete, unless the actor is stopping anyway. */
  #systemLaneOpen(): boolean {
    return this.#phase === 'ready' || this.#stop !== undefined;
  }

  #hasWork(): boolean {
    if (this.#busy()) return false;
    if (this.#mayStart()) return true;
    const mailbox = this.#mailbox;
    if (mailbox.systemSize > 0 && this.#systemLaneOpen()) return true;
    const replaying = this.#replay()?.inProgress === true;
    if (replaying && this.#replay()?.untilStop === true) return true;
    return this.#open() && (mailbox.size > 0 || this.#unstashed() || replaying || this.#snapshotsOf?.isDue === true);
  }

  /** An actor starts when spawned, or when asked to drain before it got its first slice. */
  #mayStart(): boolean {
    return this.#phase === 'new' && (this.#stop === undefined || this.#stop.mode === 'drain');
  }

  #wake(): void {
    if ((this.#flags & Flag.Scheduled) !== 0 || this.#busy()) return;
    this.#flags |= Flag.Scheduled;
    this.#services.dispatcher.enqueue(this);
  }

  // ─── Lifecycle ──────────────────────────────────────────────────────────────────────────────

  #start(): void {
    const persistence = this.#snapshotsOf?.persistence;
    const { started } = this.#definition;
    if (persistence === undefined && started === undefined) {
      this.#startDone();
      return;
    }
    this.#phase = 'starting';
    void this.#startStep(persistence).then((ok) => {
      if (this.#abandoned()) return;
      if (ok) this.#startDone();
      else {
        this.#phase = 'start-failed';
        this.#startOutcomeOf?.settle(false);
      }
      this.#stepEnded();
    });
  }

  /** Restores from the store and runs `started`; false (after requesting a stop) when either failed. It never rejects. */
  async #startStep(persistence: Persistence<TState> | undefined): Promise<boolean> {
    if (persistence !== undefined && !(await this.#restoreFromStore(persistence))) return false;
    return this.#callStarted();
  }

  /** Runs `started`, if any; false (after requesting a stop) when it threw. */
  async #callStarted(): Promise<boolean> {
    const { started } = this.#definition;
    if (started === undefined) return true;
    return this.#callHook(
      'started',
      () => started.call(this.#definition, this.#state, this.#context),
      (error) => this.#requestStop('discard', 'failed', error),
    );
  }

  #startDone(): void {
    this.#phase = 'ready';
    this.#snapshotsOf?.arm();
    if (this.#stop === undefined && this.#listened()) this.#report().emit({ type: 'actor-started' });
    if (this.#startOutcomeOf === undefined) this.#startOutcomeOf = STARTED;
    else this.#startOutcomeOf.settle(true);
  }

  /**
   * Resolves once the start step has ended: with undefined when the actor runs, or with how it
   * exits when it stops without having started (its start failed, or a stop came first).
   */
  whenStartEnded(): Promise<ExitReason | undefined> {
    return this.#startOutcome().wait();
  }

  /** A lifecycle step ended: a self-stop it saw restarts the actor now, and work waiting goes on. */
  #stepEnded(): void {
    this.#restartIfSelfStopped();
    this.#resume();
  }

  /** Starts from the newest intact snapshot in the store, if any; false when the actor must stop. */
  async #restoreFromStore(persistence: Persistence<TState>): Promise<boolean> {
    try {
      const { restartState, skipped, migratedFrom } = await persistence.load(() => this.#definition.initialState());
      // A store hands back what it was given or decoded: frozen here, as every state a handler is given.
      if (restartState !== undefined) this.#state = this.#freeze(this.#recovery().adopt(restartState));
      this.#report().emit({ type: 'snapshot-restored', sequence: restartState?.sequence, skipped, ...(migratedFrom === undefined ? {} : { migratedFrom }) });
      return true;
    } catch (error) {
      this.#report().hookFailed('restore', error);
      this.#requestStop('discard', 'failed', error);
      return false;
    }
  }

  /** Calls a hook, awaiting it if it returns a promise; false (after an event, and `failed`) when it failed. */
  async #callHook(hook: HookFailedEvent['hook'], call: () => unknown, failed?: (error: unknown) => void): Promise<boolean> {
    if (this.#abandoned()) return false;
    try {
      await call();
      return true;
    } catch (error) {
      this.#report().hookFailed(hook, error);
      failed?.(error);
      return false;
    }
  }

  /**
   * Restarts in place after `cause`, in `turn`: waits out the backoff and, in a group restart, for
   * the elder siblings' restarts to end; stops the children (last started first), runs
   * `restarting`, rolls the state back to the last snapshot (or, `fresh`, to `initialState()`),
   * runs `started`, then processes again what it took since the snapshot. The mailbox survives
   * untouched.
   */
  #restart(cause: unknown, fresh: boolean, turn: RestartTurn): void {
    this.#phase = 'restarting';
    this.#restarts().turn = turn;
    const step = async (): Promise<void> => {
      try {
        await this.#restartInTurn(cause, fresh, turn.ready);
      } finally {
        // Younger siblings wait for this, however the restart ended.
        turn.end();
      }
    };
    void step().then(() => {
      if (this.#abandoned()) return;
      this.#phase = 'ready';
      this.#stepEnded();
    });
  }

  /** The steps of `#restart`, once its turn is `ready`. */
  async #restartInTurn(cause: unknown, fresh: boolean, ready: Promise<void> | undefined): Promise<void> {
    const restarts = this.#restarts();
    await restarts.wait(ready);
    if (this.#stop !== undefined) {
      if (!fresh) this.#abandonRestart();
      return;
    }
    await stopInTurn(this.children.list(), 'discard', 'shutdown');
    const { restarting } = this.#definition;
    const dropped = this.#state;
    if (restarting !== undefined) {
      await this.#callHook('restarting', () => restarting.call(this.#definition, dropped, cause, this.#context));
    }
    if (this.#abandoned()) return;
    if (fresh) {
      if (!this.#startAfresh()) return;
    } else {
      this.#rollback();
    }
    restarts.count++;
    const replayed = this.#replay()?.remaining().length ?? 0;
    this.#report().emit({ type: 'actor-restarted', restarts: restarts.count, error: cause, from: fresh ? 'initial-state' : 'snapshot', replayed });
    await this.#callStarted();
  }

  /** Stopped while waiting to restart: back to the snapshot, the failed message given up unprocessed. */
  #abandonRestart(): void {
    const failing = this.#failuresOf?.take();
    const rolledBack = this.#recovery().abandon(failing);
    if (rolledBack !== undefined) this.#state = rolledBack.state;
    if (failing !== undefined) this.#report().undeliverable(failing.entry, 'unprocessed');
  }

  /** Rolls back to the restart point; what was taken since is processed again. */
  #rollback(): void {
    const rolledBack = this.#recovery().rollback(this.#failuresOf?.failing);
    if (rolledBack !== undefined) this.#state = rolledBack.state;
  }

  /** A fresh start for a permanent actor that stopped itself; false when `initialState` threw. */
  #startAfresh(): boolean {
    let state: TState;
    try {
      state = this.#freeze(this.#definition.initialState());
    } catch (error) {
      this.#report().hookFailed('initialState', error);
      this.#requestStop('discard', 'failed', error);
      return false;
    }
    this.#state = state;
    this.#recovery().startAfresh(state);
    return true;
  }

  /**
   * Stops this actor: waits for the message or step in progress (and, in drain mode, for the
   * queue to empty), dead-letters what is left, stops children last-started first, saves a final
   * snapshot when it has a store, runs `stopping`, and tells watchers. Idempotent.
   */
  requestStop(mode: StopMode, reason: StopReason, error?: unknown): Promise<void> {
    return this.#requestStop(mode, reason, error).stopped;
  }

  stopThen(mode: StopMode, reason: StopReason, next: () => void): boolean {
    const stop = this.#requestStop(mode, reason, undefined);
    if (stop.hasEnded) return true;
    stop.whenEnded(next);
    return false;
  }

  /** `requestStop` without a promise, for the stops nobody awaits. */
  #requestStop(mode: StopMode, reason: StopReason, error: unknown): StopRequest {
    if (this.#stop !== undefined) return this.#stop;
    const stop = new StopRequest(mode, reason, error);
    this.#stop = this.#madeAround(stop);
    this.#restartsOf?.interrupt();
    this.#extrasOf?.stop();
    // A deadline that never passes needs no timer: `forceStop` forces such a stop itself.
    const { shutdownMs } = this.#options;
    if (shutdownMs !== Infinity) (stop.deadline = new StopDeadline(shutdownMs, this.#services.clock)).arm(() => this.#force(reason));
    // A stop requested from inside a handler must not see the actor as idle before that handler
    // has returned its promise (and parked the actor): it looks only after the current call stack.
    if (shutdownMs !== 0) void RESOLVED.then(() => this.#runStop(reason));
    return stop;
  }

  /** Its parent's stop was forced: this actor stops at once too (a stop that ended already stays as it was). */
  forceStop(): void {
    const stop = this.#requestStop('discard', 'shutdown', undefined);
    stop.deadline?.disarm();
    this.#force(stop.reason);
  }

  /**
   * The stop's deadline passed (`shutdownMs`): the message or lifecycle step in progress is
   * abandoned — whatever it does next is dropped — and so are draining, the final snapshot and
   * `stopping`. Children are forced too, last started first; the actor stops now.
   */
  #force(reason: StopReason): void {
    if (this.#phase === 'stopped') return;
    this.#phase = 'closing';
    (this.#stop as StopRequest).whenQuiescent = undefined;
    this.#restartsOf?.turn?.end();
    const current = this.#current;
    this.#current = undefined;
    if (current instanceof Ask) current.fail(new ActorStoppedError(this.path, current.message));
    this.#discardMailbox();
    for (const child of this.children.list().reverse()) child.forceStop();
    void this.#snapshotsOf?.final(false);
    this.#recoveryOf?.close();
    this.#finish(reason, true);
  }

  /** A forced stop ended this actor while a step was in progress: what that step would do next is dropped. */
  #abandoned(): boolean {
    return this.#phase === 'stopped';
  }

  /**
   * The stop, once the call stack that asked for it has returned: an idle actor with nothing to
   * wind down (no children, snapshot schedule or `stopping` to run) stops at once, without the
   * promises of {@link #windDown} — which counts when a million stop.
   */
  #runStop(reason: StopReason): void {
    if (this.#abandoned()) return;
    const windsDown = this.children.size > 0 || this.#snapshotsOf !== undefined || (this.#phase !== 'new' && this.#definition.stopping !== undefined);
    if (windsDown || !this.#isQuiescent()) {
      void this.#windDown(reason);
      return;
    }
    this.#phase = 'closing';
    this.#recoveryOf?.close();
    this.#finish(reason);
  }

  /** The stop step by step: waits for quiet, stops the children, saves a final snapshot, runs `stopping`. */
  async #windDown(reason: StopReason): Promise<void> {
    const stop = this.#stop as StopRequest;
    while (!this.#isQuiescent()) {
      await new Promise<void>((resolve) => {
        stop.whenQuiescent = resolve;
        if (this.#hasWork()) this.#wake();
      });
    }
    if (this.#abandoned()) return;
    const startBegun = this.#phase !== 'new';
    const startCompleted = this.#phase === 'ready';
    this.#phase = 'closing';
    this.#discardMailbox();
    const { mode } = stop;
    // Their stops are this stop's doing, and a closing actor handles no notification: unwatched,
    // they do not end up in dead letters.
    if (this.children.size > 0) {
      const children = this.children.list();
      for (const child of children) this.unwatch(child.ref);
      await stopInTurn(children, mode, 'shutdown');
    }
    if (this.#abandoned()) return;
    const graceful = reason === 'requested' || reason === 'shutdown';
    // Awaited only when there is a schedule: a turn of the microtask queue per actor counts when a million stop.
    const final = this.#snapshotsOf?.final(graceful && startCompleted);
    if (final !== undefined) await final;
    const stopping = this.#definition.stopping;
    if (startBegun && stopping !== undefined) {
      await this.#callHook('stopping', () => stopping.call(this.#definition, this.#state, this.#context));
    }
    if (this.#abandoned()) return;
    this.#recoveryOf?.close();
    this.#finish(reason);
  }

  /** Wakes a stop waiting for the message in progress (and, when draining, the queue) to finish. */
  #checkQuiescent(): void {
    const stop = this.#stop;
    const resolve = stop?.whenQuiescent;
    if (resolve === undefined || !this.#isQuiescent()) return;
    (stop as StopRequest).whenQuiescent = undefined;
    resolve();
  }

  /** Nothing in progress, and nothing left that a draining stop still has to process. */
  #isQuiescent(): boolean {
    if (this.#busy() || this.#mayStart()) return false;
    const open = this.#open();
    const replay = this.#replay();
    if (replay !== undefined && (open || replay.untilStop) && replay.inProgress) return false;
    return !(open && (this.#mailbox.size > 0 || this.#unstashed()));
  }

  #finish(reason: StopReason, forced = false): void {
    this.#phase = 'stopped';
    const stop = this.#stop as StopRequest;
    stop.deadline?.disarm();
    this.#discardMailbox();
    this.#parent.removeChild(this);
    this.#deathWatchOf?.ended({ type: 'terminated', ref: this.ref as AnyActorRef, reason });
    this.#linksOf?.ended();
    this.#startOutcomeOf?.settle(false);
    if (this.#listened()) this.#report().emit(forced ? { type: 'actor-stopped', reason, forced } : { type: 'actor-stopped', reason });
    stop.ended();
  }

  /** Dead-letters every queued message (and what was left to replay), rejecting waiting senders and asks. */
  #discardMailbox(): void {
    const replay = this.#replay();
    // A marker left to replay stands for an entry of the stash's front, dead-lettered with the stash.
    if (replay !== undefined) {
      for (const { entry } of replay.takeLeftover()) if (!isUnstashedMarker(entry)) this.#report().undeliverable(entry, 'unprocessed');
    }
    const extras = this.#extrasOf;
    if (extras !== undefined) for (const entry of extras.discard()) this.#report().undeliverable(entry, 'unprocessed');
    const mailbox = this.#mailbox;
    // Most actors stop with nothing queued: nothing to hand back, nothing to allocate.
    if (mailbox.isEmpty) return;
    const report = this.#report();
    const { queued, waiting } = mailbox.close();
    // Only the extras send the actor messages that go stale: without them, none is.
    for (const entry of queued) if (extras?.isStale(entry) !== true) report.undeliverable(entry, 'unprocessed');
    for (const { entry, reject } of waiting) {
      if (extras?.isStale(entry) !== true) report.undeliverable(entry, 'unprocessed');
      reject(new ActorStoppedError(this.path, unwrap(entry)));
    }
    for (const message of mailbox.drainSystem()) this.#dropSystem(message);
  }

  // ─── Snapshots ──────────────────────────────────────────────────────────────────────────────

  /** `ctx.snapshot()`: a snapshot once the current message is handled. */
  requestSnapshot(): Promise<void> {
    return this.#snapshots().request();
  }

  // ─── Failure ────────────────────────────────────────────────────────────────────────────────

  #handlerFailed(error: unknown, entry: Entry<TMessage>): void {
    this.#phase = 'ready';
    this.#extrasOf?.handlerFailed();
    this.#current = undefined;
    // A failure is handled by its directive, not by a `ctx.stop()` the handler called before failing.
    if (this.#restartsOf !== undefined) this.#restartsOf.freshAfterStep = false;
    const outcome = this.#failures().handlerFailed(error, entry, this.#currentOrdinal);
    switch (outcome) {
      case 'retry':
        // A supervisor that gave up retries nothing: the message is given up as a skipped one is.
        if (!this.#restartAuthorized(error)) this.#skip(entry, 'handler-failed', error);
        return;
      case 'poison':
        this.#poison(entry, error);
        return;
      default:
        this.#skip(entry, 'handler-failed', error);
        this.#afterSkip(outcome, error);
    }
  }

  /** What follows a skipped message (or a failure that had none). */
  #afterSkip(outcome: Exclude<FailureOutcome, 'retry' | 'poison'>, error: unknown): void {
    switch (outcome) {
      case 'skip':
        return;
      case 'skip-and-restart':
        this.#restartAuthorized(error);
        return;
      case 'skip-and-stop':
        this.#requestStop('discard', 'failed', error);
        return;
      case 'skip-and-escalate':
        this.#escalate(error);
        return;
    }
  }

  /** This actor failed without a message of its own: a child escalated to it. */
  #failedBy(error: unknown): void {
    const outcome = this.#failures().failedWithoutMessage(error);
    if (outcome === 'retry') this.#restartAuthorized(error);
    else if (outcome !== 'poison') this.#afterSkip(outcome, error);
  }

  /** Gives up the entry: dead letter, ask rejected, out of the log. */
  #skip(entry: Entry<TMessage>, reason: 'handler-failed' | 'poison', error: unknown): void {
    this.#report().deadLetter(reason, unwrap(entry), error);
    if (entry instanceof Ask) entry.fail(new ActorFailedError(this.path, error));
    this.#recoveryOf?.dropLast(this.#currentOrdinal);
    this.#failuresOf?.ended(this.#currentOrdinal);
  }

  /**
   * A message that failed `maxRetries` times in a row: dead-letter it and go on from the state
   * before it (rolling back, for keyed state a handler may have half-written).
   */
  #poison(entry: Entry<TMessage>, error: unknown): void {
    const attempts = this.#failures().attempts;
    this.#skip(entry, 'poison', error);
    this.#report().emit({ type: 'poison-message', message: unwrap(entry), error, attempts });
    if (this.#recoveryOf?.logs === true) this.#rollback();
  }

  /**
   * Asks the supervisor, then restarts from the snapshot; if it gave up, this actor stops with it
   * (and false says so).
   */
  #restartAuthorized(cause: unknown, fresh = false): boolean {
    const turn = this.#parent.authorizeRestart(this, cause);
    if (turn !== undefined) {
      this.#restart(cause, fresh, turn);
      return true;
    }
    this.#requestStop('discard', 'escalated', cause);
    return false;
  }

  /** A `'permanent'` actor that stopped itself comes back afresh, once the handler or step in progress has ended. */
  #restartIfSelfStopped(): void {
    const restarts = this.#restartsOf;
    if (restarts === undefined || !restarts.freshAfterStep || this.#phase !== 'ready') return;
    restarts.freshAfterStep = false;
    if (this.#stop === undefined) this.#restartAuthorized(undefined, true);
  }

  #escalate(error: unknown): void {
    this.#report().emit({ type: 'actor-escalated', error });
    this.#requestStop('discard', 'escalated', error);
    this.#parent.childFailed(this.path, error);
  }

  // ─── System lane ────────────────────────────────────────────────────────────────────────────

  #pushSystem(message: SystemMessage): void {
    if (this.#phase === 'stopped') {
      this.#dropSystem(message);
      return;
    }
    this.#mailbox.pushSystem(message);
    this.#wake();
  }

  #handleSystem(message: SystemMessage): void {
    switch (message.kind) {
      case 'terminated': {
        if (!this.#open()) {
          this.#report().deadLetter('unprocessed', message.terminated);
          return;
        }
        let delivered: TMessage;
        try {
          delivered = (message.toMessage?.(message.terminated) ?? message.terminated) as TMessage;
        } catch (error) {
          // The mapping function is this actor's code, but there is no message to retry: the
          // notification is given up and the failure goes to the decider.
          this.#report().deadLetter('handler-failed', message.terminated, error);
          this.#failedBy(error);
          return;
        }
        this.#handleNotice(delivered);
        return;
      }
      case 'exit':
        this.#exitSignal(message.exit);
        return;
      case 'child-failed':
        if (this.#stop === undefined) this.#failedBy(escalationError(message.child, message.error));
        return;
      case 'restart':
        // A temporary actor is never restarted: a sibling's restart stops it instead, as in OTP.
        if (this.#stop === undefined && this.#options.supervision.restart !== 'temporary') {
          this.#restart(message.cause, false, message.turn);
          return;
        }
        if (this.#stop === undefined) this.#requestStop('discard', 'shutdown', undefined);
        message.turn.pass();
        return;
    }
  }

  /** Handles a notification of the system lane (Terminated, Exit) as a message. */
  #handleNotice(message: TMessage): void {
    this.#handle(message, message, ++this.#taken);
    if (this.#phase !== 'handling') this.#mailbox.recordProcessed(1);
  }

  /**
   * A linked actor stopped. An actor that traps exits receives the exit as a message; one that
   * does not goes on after a normal stop, and after a failure stops too — or, `'permanent'`,
   * restarts from its snapshot, as it comes back from every exit of its own.
   */
  #exitSignal(exit: Exit): void {
    // It was signalled through its links, which exist therefore.
    if (this.#links().trapsExits) {
      if (this.#open()) this.#handleNotice(exit as TMessage);
      else this.#report().deadLetter('unprocessed', exit);
      return;
    }
    const failure = linkedFailure(exit);
    if (failure === undefined || this.#stop !== undefined) return;
    if (restartsAfter(this.#options.supervision.restart, 'link-exit')) this.#restartAuthorized(failure);
    else this.#requestStop('discard', 'linked', failure);
  }

  /** A system message that will never be handled: a notification goes to dead letters, a turn ends. */
  #dropSystem(message: SystemMessage): void {
    if (message.kind === 'terminated') this.#report().deadLetter('unprocessed', message.terminated);
    else if (message.kind === 'exit' && this.#linksOf?.trapsExits === true) this.#report().deadLetter('unprocessed', message.exit);
    else if (message.kind === 'restart') message.turn.pass();
  }

  // ─── Parent side ────────────────────────────────────────────────────────────────────────────

  assertCanSpawn(): void {
    if (this.#stop !== undefined) throw new ActorStoppedError(this.path, undefined);
  }

  addChild(child: ChildCell): void {
    (this.#children ??= new ChildRegistry()).add(child);
  }

  removeChild(child: ChildCell): void {
    this.#children?.remove(child);
  }

  childFailed(childPath: string, error: unknown): void {
    this.#pushSystem({ kind: 'child-failed', child: childPath, error });
  }

  authorizeRestart(child: ChildCell, error: unknown): RestartTurn | undefined {
    const turn = this.#supervisor().authorize(this.children.list(), child, error);
    if (turn === undefined) {
      const { maxRestarts, withinMs } = this.#supervisor().options;
      this.#escalate(new RestartIntensityExceededError(this.path, child.path, { maxRestarts, withinMs }, error));
    }
    return turn;
  }

  restartRequested(cause: unknown, turn: RestartTurn): void {
    this.#pushSystem({ kind: 'restart', cause, turn });
  }

  /**
   * `ctx.stop()`: a permanent actor restarts afresh (after the message or lifecycle step in
   * progress); others stop. An actor already stopping just goes on stopping.
   */
  stopSelf(): void {
    if (!restartsAfter(this.#options.supervision.restart, 'self-stop')) {
      this.#requestStop('discard', 'requested', undefined);
      return;
    }
    if (this.#stop !== undefined) return;
    this.#restarts().freshAfterStep = true;
    this.#restartIfSelfStopped();
  }

  watch(ref: AnyActorRef, toMessage: WatchMapper): void {
    const target = targetOf(ref);
    if (!(target instanceof ActorCell)) throw new InvalidOptionError('ref', 'a ref of a local actor', ref);
    const watched = target as ActorCell<unknown, unknown>;
    if (watched.#phase === 'stopped') {
      const reason = watched.#stop?.reason ?? 'requested';
      this.#pushSystem({ kind: 'terminated', terminated: { type: 'terminated', ref: watched.ref as AnyActorRef, reason }, toMessage });
      return;
    }
    this.#deathWatch().watch(watched.#deathWatch(), toMessage);
  }

  unwatch(ref: AnyActorRef): void {
    const target = targetOf(ref);
    if (!(target instanceof ActorCell)) return;
    const watched = (target as ActorCell<unknown, unknown>).#deathWatchOf;
    if (watched !== undefined) this.#deathWatchOf?.unwatch(watched);
  }

  /** `ctx.link`: links both ways; an actor that already stopped signals its exit at once. */
  link(ref: AnyActorRef): void {
    const target = targetOf(ref);
    if (!(target instanceof ActorCell)) throw new InvalidOptionError('ref', 'a ref of a local actor', ref);
    this.#links().link((target as ActorCell<unknown, unknown>).#links());
  }

  unlink(ref: AnyActorRef): void {
    const target = targetOf(ref);
    if (!(target instanceof ActorCell)) return;
    const partner = (target as ActorCell<unknown, unknown>).#linksOf;
    if (partner !== undefined) this.#linksOf?.unlink(partner);
  }

  trapExits(on: boolean): void {
    if (typeof on !== 'boolean') throw new InvalidOptionError('trapExits', 'true or false', on);
    this.#links().trapsExits = on;
  }

  /** How this actor exited, or is exiting; undefined while no stop was requested. */
  exitReason(): ExitReason | undefined {
    const stop = this.#stop;
    return stop === undefined ? undefined : exitReasonOf(stop.reason, stop.error);
  }

  reply(value: unknown): boolean {
    const ask = this.#current;
    if (!(ask instanceof Ask)) return false;
    if (ask.reply(value)) return true;
    // Processing a message again after a restart answers an ask that was answered the first time.
    if (this.#replay()?.active !== true) this.#report().deadLetter('late-reply', value);
    return false;
  }

  /** Entries put back by `unstashAll` wait to be taken before the mailbox. */
  #unstashed(): boolean {
    const extras = this.#extrasOf;
    return extras !== undefined && extras.unstashed > 0;
  }

  /**
   * `state`, shallow-frozen when the actor {@link Flag.Freezes}. The state it holds is frozen already,
   * so a handler that hands it back unchanged costs no second `Object.freeze` (about 475
   * instructions, a call into V8's runtime).
   */
  #freeze(state: TState, handed: TState = this.#state): TState {
    if ((this.#flags & Flag.Freezes) !== 0 && typeof state === 'object' && state !== null && state !== handed) Object.freeze(state);
    return state;
  }

  /** The state handed to the handler in progress, or to the next one: the plain loop's while it runs. */
  #handedState(): TState {
    const held = this.#held;
    return held === undefined ? this.#state : held.state;
  }

  /** Ends the plain loop's hold: the cell holds its state again. */
  #release(held: { state: TState }): void {
    this.#state = held.state;
    this.#held = undefined;
  }
}
