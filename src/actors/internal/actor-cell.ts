/**
 * The actor cell owns one actor's mailbox, state, restart point and children, and runs its
 * messages one at a time when the dispatcher gives it a slice. Its position in life is one phase
 * value (`cell-phase.ts`) with a stop request beside it; it calls named collaborators for the
 * rest: the replay queue, death watch and links, the failure series (supervision's decisions),
 * the stop deadline and the reporter (dead letters and events). It stays one class because its lifecycle steps — start,
 * handle, restart, stop — all move the same few fields, and splitting them would spread each
 * invariant over several files.
 *
 * Invariants: at most one message or lifecycle step is in progress (a busy phase); the cell is in
 * the run queue (`scheduled`) at most once; state changes only between messages; every entry taken
 * since the last snapshot is in the restart point's log (or, with per-message snapshots, is the
 * entry in progress), so a restart loses nothing.
 */
import { ActorFailedError, ActorStoppedError, InvalidOptionError, RestartIntensityExceededError } from '../../errors.js';
import { positiveNumberOrInfinity } from '../../internal/validate.js';
import { Mailbox, type MailboxMetrics } from '../../mailbox/mailbox.js';
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
import { newActorId } from './actor-id.js';
import { Ask } from './ask.js';
import { behaviorSetOf } from './behavior-set.js';
import { CellExtras, isUnstashedMarker } from './cell-extras.js';
import type { CellPhase } from './cell-phase.js';
import { CellReporter } from './cell-reporter.js';
import { createContext, type WatchMapper } from './cell-context.js';
import { DeathWatch } from './death-watch.js';
import type { Runnable } from './dispatcher.js';
import { Envelope, Sequenced, unwrap, type Entry } from './envelope.js';
import { FailureSeries } from './failure-series.js';
import { Links, exitReasonOf, linkedFailure } from './links.js';
import { LocalActorRef, targetOf, type RefTarget } from './local-actor-ref.js';
import { isSequencedTarget } from './sequenced-target.js';
import { Persistence } from './persistence.js';
import { attachCell } from './self-persisting.js';
import type { ReplayQueue } from './replay-queue.js';
import { Recovery } from './recovery.js';
import { RestartWait } from './restart-wait.js';
import { SelfMessage } from './self-messages.js';
import type { SequenceBook } from './sequence-book.js';
import { SnapshotSchedule } from './snapshot-schedule.js';
import { STARTED, StartOutcome } from './start-outcome.js';
import { StopDeadline } from './stop-deadline.js';
import { versioningOf } from './state-migration.js';
import { SupervisorState, escalationError, type RestartTurn } from './supervisor-state.js';
import type { ChildCell, ParentSlot, SystemServices, StopMode } from './system-services.js';

type SystemMessage =
  | { readonly kind: 'terminated'; readonly terminated: Terminated; readonly toMessage: WatchMapper }
  | { readonly kind: 'child-failed'; readonly child: string; readonly error: unknown }
  | { readonly kind: 'restart'; readonly cause: unknown; readonly turn: RestartTurn }
  | { readonly kind: 'exit'; readonly exit: Exit };

/** A stop asked of the actor: how to treat its queue, the reason its watchers will see, and the error behind a failure. */
interface StopRequest {
  readonly mode: StopMode;
  readonly reason: StopReason;
  readonly error: unknown;
}

/** The lifecycle as the cell holds it, for the lifecycle property test. */
export interface CellLifecycle {
  readonly phase: CellPhase;
  readonly stop: StopMode | undefined;
  readonly replay: 'none' | 'handed-back' | 'replaying';
  readonly replayUntilStop: boolean;
  readonly restartFreshAfterStep: boolean;
}

const RESOLVED = Promise.resolve();

/** What handling an entry left the actor doing. */
const CONTINUE = 0;
const HALT = 1;
const AWAITING = 2;
type Outcome = typeof CONTINUE | typeof HALT | typeof AWAITING;

/** The children of every actor that has had none. */
const NO_CHILDREN: ReadonlyMap<string, ChildCell> = new Map();

/** Default snapshot interval of keyed state, whose snapshots are views rather than references. */
const KEYED_EVERY_MESSAGES = 1000;

export class ActorCell<TState, TMessage> implements Runnable, RefTarget<TMessage>, ChildCell, ParentSlot {
  readonly id: string;
  readonly name: string;
  readonly path: string;
  readonly ref: ActorRef<TMessage>;
  /** Made by the first child: most actors have none. */
  #children: Map<string, ChildCell> | undefined;

  readonly #services: SystemServices;
  readonly #parent: ParentSlot;
  readonly #definition: ActorDefinition<TState, TMessage>;
  readonly #options: ResolvedSpawnOptions;
  readonly #mailbox: Mailbox<Entry<TMessage>, SystemMessage>;
  readonly #context: ActorContext<TMessage>;
  /**
   * Supervision of its children, the failure series, death watch, links, the restart backoff and
   * the stop deadline are made when first needed (through the getters of the same names without
   * `Of`): an actor that never fails, watches, links, supervises or stops pays nothing for them.
   */
  #supervisorOf: SupervisorState<ChildCell> | undefined;
  readonly #report: CellReporter;
  #failuresOf: FailureSeries<TMessage> | undefined;
  #deathWatchOf: DeathWatch | undefined;
  #linksOf: Links | undefined;
  #restartWaitOf: RestartWait | undefined;
  #deadlineOf: StopDeadline | undefined;
  /** Restart point, link sequence numbers and replay. */
  readonly #recovery: Recovery<TState, Entry<TMessage>>;
  readonly #replay: ReplayQueue<Entry<TMessage>>;
  readonly #sequences: SequenceBook;
  /** Made at spawn for an actor with a store or `everyMs`, else by the first snapshot asked for. */
  #snapshotsOf: SnapshotSchedule<TState> | undefined;
  /** Behaviour, stash, timers and pipes: what its snapshots hold besides the state. */
  readonly #extras: CellExtras<TMessage>;
  /** Shallow-freeze each new state: development mode, and state that is a plain object. */
  readonly #freezes: boolean;
  #state: TState;
  #phase: CellPhase = 'new';
  /** Set once a stop is requested: from then on the actor accepts nothing new. */
  #stop: StopRequest | undefined;
  #stopped: Promise<void> | undefined;
  #resolveStopped: (() => void) | undefined;
  #scheduled = false;
  #restarts = 0;
  #currentAsk: Ask<TMessage> | undefined;
  /** How many entries were taken from the mailbox: each one's ordinal, kept through replays. */
  #taken = 0;
  #currentOrdinal = 0;
  #snapshotDue = false;
  /** A permanent actor called `ctx.stop()` inside a handler or a lifecycle step: it restarts afresh once that ends. */
  #restartFreshAfterStep = false;
  /** The turn of the restart in progress (or of the last one): a forced stop ends it, so younger siblings never wait for it. */
  #restartTurn: RestartTurn | undefined;
  #whenQuiescent: (() => void) | undefined;
  /** Exits of linked actors arrive as messages (true) or, when they failed, stop this one (false). */
  #trapExits: boolean;
  /** Made when someone waits for the start, or when it fails; a start that succeeds first shares {@link STARTED}. */
  #startOutcomeOf: StartOutcome | undefined;

  constructor(services: SystemServices, parent: ParentSlot, definition: ActorDefinition<TState, TMessage>, options: ResolvedSpawnOptions) {
    parent.assertCanSpawn();
    this.id = newActorId();
    this.name = options.name ?? `actor-${this.id}`;
    this.path = `${parent.path}/${this.name}`;
    if (parent.children.has(this.name)) {
      throw new InvalidOptionError('name', `a name no other child of ${parent.path} holds`, this.name);
    }
    this.#services = services;
    this.#parent = parent;
    this.#definition = definition;
    this.#options = options;
    const report = new CellReporter(services, this.path, this.id);
    this.#report = report;
    this.#trapExits = options.trapExits ?? definition.trapExits ?? false;
    const mailbox = new Mailbox<Entry<TMessage>, SystemMessage>(
      options.mailbox,
      this.path,
      (entry, reason) => report.dropped(entry, reason, () => mailbox.metrics().capacity),
      unwrap,
    );
    this.#mailbox = mailbox;
    const extras = new CellExtras<TMessage>({
      path: this.path,
      clock: services.clock,
      report,
      behaviors: behaviorSetOf(definition),
      stash: options.stash,
      overflow: options.mailbox.overflow ?? 'backpressure',
      handling: () => this.#phase === 'handling',
      deliverOrWait: (entry) => this.deliverOrWait(entry),
    });
    this.#extras = extras;
    const initial = definition.initialState();
    const keyed = initial instanceof KeyedState;
    this.#freezes = services.freezeState && !keyed;
    this.#state = this.#freeze(initial);
    const { everyMessages, everyMs, store, key } = options.snapshot;
    const logs = keyed || store !== undefined || everyMs !== undefined || (everyMessages ?? 1) > 1;
    const recovery = new Recovery<TState, Entry<TMessage>>(this.#state, logs ? (everyMessages ?? (keyed ? KEYED_EVERY_MESSAGES : 1)) : undefined, extras);
    this.#recovery = recovery;
    this.#replay = recovery.replay;
    this.#sequences = recovery.sequences;
    const persistence = store === undefined ? undefined : new Persistence<TState>(store, key ?? this.path, versioningOf(definition), extras);
    // With a store or a timer the schedule has work from the start; else only once asked for a snapshot.
    if (persistence !== undefined || everyMs !== undefined) this.#snapshotsOf = this.#makeSnapshots(persistence);
    this.ref = new LocalActorRef<TMessage>(this);
    this.#context = createContext(this, services, parent, extras);
    attachCell(definition, options.snapshot, this.#context, (event) => report.emit(event));
    parent.addChild(this);
    this.#wake();
  }

  #makeSnapshots(persistence: Persistence<TState> | undefined): SnapshotSchedule<TState> {
    const report = this.#report;
    return new SnapshotSchedule(persistence, this.#options.snapshot.everyMs, this.#services.clock, {
      path: this.path,
      accepting: () => this.#stop === undefined,
      capture: this.#recovery.capturer(() => this.#state),
      due: () => {
        this.#snapshotDue = true;
        this.#wake();
      },
      emit: (event) => report.emit(event),
    });
  }

  get #snapshots(): SnapshotSchedule<TState> {
    return (this.#snapshotsOf ??= this.#makeSnapshots(undefined));
  }

  get #startOutcome(): StartOutcome {
    return (this.#startOutcomeOf ??= new StartOutcome(() => this.exitReason()));
  }

  get #supervisor(): SupervisorState<ChildCell> {
    return (this.#supervisorOf ??= new SupervisorState<ChildCell>(this.#options.supervisor, this.#services.clock));
  }

  get #failures(): FailureSeries<TMessage> {
    return (this.#failuresOf ??= new FailureSeries(this.#options.supervision, this.#report));
  }

  get #deathWatch(): DeathWatch {
    return (this.#deathWatchOf ??= new DeathWatch((terminated, toMessage) => this.#pushSystem({ kind: 'terminated', terminated, toMessage })));
  }

  get #links(): Links {
    if (this.#linksOf !== undefined) return this.#linksOf;
    const links = new Links(
      (exit) => this.#pushSystem({ kind: 'exit', exit }),
      () => ({ type: 'exit', ref: this.ref as AnyActorRef, reason: exitReasonOf(this.#stop?.reason ?? 'requested', this.#stop?.error) }),
    );
    // Made after the actor stopped: those who link to it now hear of its exit at once.
    if (this.#phase === 'stopped') links.ended();
    return (this.#linksOf = links);
  }

  get #restartWait(): RestartWait {
    if (this.#restartWaitOf !== undefined) return this.#restartWaitOf;
    const wait = new RestartWait(this.#options.supervision.backoff, this.#services.clock, this.#services.random);
    if (this.#stop !== undefined) wait.interrupt();
    return (this.#restartWaitOf = wait);
  }

  get #deadline(): StopDeadline {
    return (this.#deadlineOf ??= new StopDeadline(this.#options.shutdownMs, this.#services.clock));
  }

  get children(): ReadonlyMap<string, ChildCell> {
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
    const replay = this.#replay;
    return {
      phase: this.#phase,
      stop: this.#stop?.mode,
      replay: replay.active ? 'replaying' : replay.inProgress ? 'handed-back' : 'none',
      replayUntilStop: replay.untilStop,
      restartFreshAfterStep: this.#restartFreshAfterStep,
    };
  }

  // ─── Sending ────────────────────────────────────────────────────────────────────────────────

  tell(message: TMessage): boolean {
    return this.deliver(message);
  }

  send(message: TMessage): Promise<void> {
    return this.deliverOrWait(message);
  }

  /** Enqueues an entry without waiting; false when refused, dropped or stopped. */
  deliver(entry: Entry<TMessage>): boolean {
    if (this.#stop !== undefined) return this.#report.refused(entry);
    if (!this.#mailbox.offer(entry)) return false;
    this.#wake();
    return true;
  }

  /** Enqueues an entry, waiting for room under backpressure. */
  deliverOrWait(entry: Entry<TMessage>): Promise<void> {
    if (this.#stop !== undefined) {
      this.#report.refused(entry);
      return Promise.reject(new ActorStoppedError(this.path, unwrap(entry)));
    }
    const waiting = this.#mailbox.offerOrWait(entry);
    if (waiting !== undefined) return waiting;
    this.#wake();
    return RESOLVED;
  }

  ask(message: TMessage, options: AskOptions | undefined): Promise<unknown> {
    const timeoutMs = options?.timeoutMs === undefined ? this.#services.askTimeoutMs : positiveNumberOrInfinity('timeoutMs', options.timeoutMs);
    if (this.#stop !== undefined) {
      this.#report.refused(message);
      return Promise.reject(new ActorStoppedError(this.path, message));
    }
    const { clock, outstandingAsks } = this.#services;
    const ask = new Ask(message, this.path, timeoutMs, clock, outstandingAsks as Set<Ask<unknown>>);
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
      if (isSequencedTarget(target)) return target.deliverSequenced(message, this.path, this.#sequences.next(), wait);
      throw new InvalidOptionError('ref', 'a ref of a local actor', ref);
    }
    const entry = new Sequenced(message, this.path, this.#sequences.next());
    const receiver = target as ActorCell<unknown, TOther>;
    return wait ? receiver.deliverOrWait(entry) : receiver.deliver(entry);
  }

  stopRequested(): Promise<void> {
    return this.requestStop('discard', 'requested');
  }

  metrics(): MailboxMetrics {
    return this.#mailbox.metrics();
  }

  stats(): ActorMetrics {
    return { path: this.path, status: this.status, ...this.#mailbox.metrics(), failed: this.#failuresOf?.total ?? 0, restarts: this.#restarts };
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
    if (!this.#busy() && (this.#open() || this.#replay.untilStop)) {
      if (this.#replay.inProgress) this.#processReplay();
      if (this.#open() && !this.#replay.inProgress) this.#processMailbox();
      if (this.#snapshotDue && this.#open()) this.#takeSnapshot();
    }
    const more = this.#hasWork();
    if (!more) this.#scheduled = false;
    this.#checkQuiescent();
    return more;
  }

  #processMailbox(): void {
    const mailbox = this.#mailbox;
    const extras = this.#extras;
    let budget = this.#options.messageBudget;
    let processed = 0;
    while (budget > 0) {
      budget--;
      let entry: Entry<TMessage>;
      if (extras.unstashed > 0) {
        // What `unstashAll` put back goes before the mailbox.
        const unstashed = extras.takeFront();
        if (unstashed === undefined) continue;
        entry = unstashed.entry;
      } else if (mailbox.size > 0) {
        entry = mailbox.take();
        if (entry instanceof Envelope && !this.#admit(entry)) continue;
      } else {
        break;
      }
      processed++;
      const outcome = this.#handle(entry, ++this.#taken);
      if (outcome !== CONTINUE) {
        if (outcome === AWAITING) processed--; // counted when it settles
        break;
      }
      // A poison message rolled back to the snapshot: what that handed back goes before anything new.
      if (this.#replay.inProgress) break;
    }
    mailbox.recordProcessed(processed);
  }

  /** Processes again what a restart handed back, before anything new from the mailbox. */
  #processReplay(): void {
    const replay = this.#replay;
    replay.begin();
    // A poison message found during the replay rolls back again and refills the queue: `next`
    // reads it afresh each time.
    for (let logged = replay.next(); logged !== undefined; logged = replay.next()) {
      const { ordinal } = logged;
      let { entry } = logged;
      if (isUnstashedMarker(entry)) {
        // Taken from the stash's front, which the rollback brought back as it was.
        const unstashed = this.#extras.takeFront();
        if (unstashed === undefined) continue;
        entry = unstashed.entry;
      } else if (entry instanceof Sequenced) {
        this.#sequences.note(entry.sender, entry.seq);
      } else if (entry instanceof SelfMessage) {
        this.#extras.admit(entry); // processed again whatever it says: it was taken
      }
      if (this.#handle(entry, ordinal) !== CONTINUE) break;
    }
    // An async or failing last entry finishes later; the next slice then finds the replay over.
    if (replay.exhausted && !this.#busy()) this.#recovery.replayDone();
  }

  /** A message on a sequenced link, or one the runtime sent this actor: false to drop it, taken already or stale. */
  #admit(entry: Envelope<TMessage>): boolean {
    if (entry instanceof Sequenced) return this.#sequences.admit(entry.sender, entry.seq);
    return !(entry instanceof SelfMessage) || this.#extras.admit(entry);
  }

  /** Handles one entry and says whether the actor may take another now. */
  #handle(entry: Entry<TMessage>, ordinal: number): Outcome {
    let message: TMessage;
    if (entry instanceof Envelope) {
      message = entry.message as TMessage;
      if (entry instanceof Ask) this.#currentAsk = entry as Ask<TMessage>;
    } else {
      message = entry;
    }
    this.#recovery.taken(entry, ordinal);
    this.#currentOrdinal = ordinal;
    this.#phase = 'handling';
    let next: TState | Promise<TState>;
    try {
      next = this.#definition.receive(this.#state, message, this.#context);
    } catch (error) {
      this.#handlerFailed(error, entry);
      return this.#mayTakeAnother() ? CONTINUE : HALT;
    }
    if (next instanceof Promise) {
      this.#awaitResult(next, entry);
      return AWAITING;
    }
    this.#succeeded(next);
    return this.#mayTakeAnother() ? CONTINUE : HALT;
  }

  #succeeded(next: TState): void {
    this.#phase = 'ready';
    this.#state = this.#freezes ? this.#freeze(next) : next;
    this.#currentAsk = undefined;
    this.#failuresOf?.ended(this.#currentOrdinal);
    if (this.#recovery.succeeded()) this.#snapshotDue = true;
    if (this.#snapshotDue) this.#takeSnapshot();
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
    return this.#open() || (this.#phase === 'ready' && this.#replay.untilStop);
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
    if (this.#replay.untilStop && this.#replay.inProgress) return true;
    return this.#open() && (mailbox.size > 0 || this.#extras.unstashed > 0 || this.#replay.inProgress || this.#snapshotDue);
  }

  /** An actor starts when spawned, or when asked to drain before it got its first slice. */
  #mayStart(): boolean {
    return this.#phase === 'new' && (this.#stop === undefined || this.#stop.mode === 'drain');
  }

  #wake(): void {
    if (this.#scheduled || this.#busy()) return;
    this.#scheduled = true;
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
        this.#startOutcome.settle(false);
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
      (error) => void this.requestStop('discard', 'failed', error),
    );
  }

  #startDone(): void {
    this.#phase = 'ready';
    this.#snapshotsOf?.arm();
    if (this.#stop === undefined) this.#report.emit({ type: 'actor-started' });
    if (this.#startOutcomeOf === undefined) this.#startOutcomeOf = STARTED;
    else this.#startOutcomeOf.settle(true);
  }

  /**
   * Resolves once the start step has ended: with undefined when the actor runs, or with how it
   * exits when it stops without having started (its start failed, or a stop came first).
   */
  whenStartEnded(): Promise<ExitReason | undefined> {
    return this.#startOutcome.wait();
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
      if (restartState !== undefined) this.#state = this.#recovery.adopt(restartState);
      this.#report.emit({ type: 'snapshot-restored', sequence: restartState?.sequence, skipped, ...(migratedFrom === undefined ? {} : { migratedFrom }) });
      return true;
    } catch (error) {
      this.#report.hookFailed('restore', error);
      void this.requestStop('discard', 'failed', error);
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
      this.#report.hookFailed(hook, error);
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
    this.#restartTurn = turn;
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
    await this.#restartWait.wait(ready);
    if (this.#stop !== undefined) {
      if (!fresh) this.#abandonRestart();
      return;
    }
    for (const child of [...this.children.values()].reverse()) await child.requestStop('discard', 'shutdown');
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
    this.#restarts++;
    const replayed = this.#replay.remaining().length;
    this.#report.emit({ type: 'actor-restarted', restarts: this.#restarts, error: cause, from: fresh ? 'initial-state' : 'snapshot', replayed });
    await this.#callStarted();
  }

  /** Stopped while waiting to restart: back to the snapshot, the failed message given up unprocessed. */
  #abandonRestart(): void {
    const failing = this.#failuresOf?.take();
    const rolledBack = this.#recovery.abandon(failing);
    if (rolledBack !== undefined) this.#state = rolledBack.state;
    if (failing !== undefined) this.#report.undeliverable(failing.entry, 'unprocessed');
  }

  /** Rolls back to the restart point; what was taken since is processed again. */
  #rollback(): void {
    const rolledBack = this.#recovery.rollback(this.#failuresOf?.failing);
    if (rolledBack !== undefined) this.#state = rolledBack.state;
  }

  /** A fresh start for a permanent actor that stopped itself; false when `initialState` threw. */
  #startAfresh(): boolean {
    let state: TState;
    try {
      state = this.#freeze(this.#definition.initialState());
    } catch (error) {
      this.#report.hookFailed('initialState', error);
      void this.requestStop('discard', 'failed', error);
      return false;
    }
    this.#state = state;
    this.#recovery.startAfresh(state);
    return true;
  }

  /**
   * Stops this actor: waits for the message or step in progress (and, in drain mode, for the
   * queue to empty), dead-letters what is left, stops children last-started first, saves a final
   * snapshot when it has a store, runs `stopping`, and tells watchers. Idempotent.
   */
  requestStop(mode: StopMode, reason: StopReason, error?: unknown): Promise<void> {
    if (this.#stopped !== undefined) return this.#stopped;
    this.#stop = { mode, reason, error };
    this.#restartWaitOf?.interrupt();
    this.#extras.stop();
    this.#stopped = new Promise<void>((resolve) => (this.#resolveStopped = resolve));
    // A deadline that never passes needs no timer: `forceStop` forces such a stop itself.
    const { shutdownMs } = this.#options;
    if (shutdownMs !== Infinity) this.#deadline.arm(() => this.#force(reason));
    if (shutdownMs !== 0) void this.#runStop(reason);
    return this.#stopped;
  }

  /** Its parent's stop was forced: this actor stops at once too (a stop that ended already stays as it was). */
  forceStop(): void {
    void this.requestStop('discard', 'shutdown');
    this.#deadlineOf?.disarm();
    this.#force((this.#stop as StopRequest).reason);
  }

  /**
   * The stop's deadline passed (`shutdownMs`): the message or lifecycle step in progress is
   * abandoned — whatever it does next is dropped — and so are draining, the final snapshot and
   * `stopping`. Children are forced too, last started first; the actor stops now.
   */
  #force(reason: StopReason): void {
    if (this.#phase === 'stopped') return;
    this.#phase = 'closing';
    this.#whenQuiescent = undefined;
    this.#restartTurn?.end();
    const ask = this.#currentAsk;
    this.#currentAsk = undefined;
    ask?.fail(new ActorStoppedError(this.path, ask.message));
    this.#discardMailbox();
    for (const child of [...this.children.values()].reverse()) child.forceStop();
    void this.#snapshotsOf?.final(false);
    this.#recovery.close();
    this.#finish(reason, true);
  }

  /** A forced stop ended this actor while a step was in progress: what that step would do next is dropped. */
  #abandoned(): boolean {
    return this.#phase === 'stopped';
  }

  async #runStop(reason: StopReason): Promise<void> {
    // A stop requested from inside a handler must not see the actor as idle before that handler
    // has returned its promise (and parked the actor): look only after the current call stack.
    await RESOLVED;
    while (!this.#isQuiescent()) {
      await new Promise<void>((resolve) => {
        this.#whenQuiescent = resolve;
        if (this.#hasWork()) this.#wake();
      });
    }
    if (this.#abandoned()) return;
    const startBegun = this.#phase !== 'new';
    const startCompleted = this.#phase === 'ready';
    this.#phase = 'closing';
    this.#discardMailbox();
    const mode = this.#stop?.mode ?? 'discard';
    // Their stops are this stop's doing, and a closing actor handles no notification: unwatched,
    // they do not end up in dead letters.
    if (this.children.size > 0) {
      for (const child of this.children.values()) this.unwatch(child.ref);
      for (const child of [...this.children.values()].reverse()) await child.requestStop(mode, 'shutdown');
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
    this.#recovery.close();
    this.#finish(reason);
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
    if (this.#busy() || this.#mayStart()) return false;
    const open = this.#open();
    if ((open || this.#replay.untilStop) && this.#replay.inProgress) return false;
    return !(open && (this.#mailbox.size > 0 || this.#extras.unstashed > 0));
  }

  #finish(reason: StopReason, forced = false): void {
    this.#phase = 'stopped';
    this.#deadlineOf?.disarm();
    this.#discardMailbox();
    this.#parent.removeChild(this);
    this.#deathWatchOf?.ended({ type: 'terminated', ref: this.ref as AnyActorRef, reason });
    this.#linksOf?.ended();
    this.#startOutcome.settle(false);
    this.#report.emit(forced ? { type: 'actor-stopped', reason, forced } : { type: 'actor-stopped', reason });
    this.#resolveStopped?.();
  }

  /** Dead-letters every queued message (and what was left to replay), rejecting waiting senders and asks. */
  #discardMailbox(): void {
    const report = this.#report;
    const extras = this.#extras;
    // A marker left to replay stands for an entry of the stash's front, dead-lettered with the stash.
    for (const { entry } of this.#replay.takeLeftover()) if (!isUnstashedMarker(entry)) report.undeliverable(entry, 'unprocessed');
    for (const entry of extras.discard()) report.undeliverable(entry, 'unprocessed');
    const mailbox = this.#mailbox;
    // Most actors stop with nothing queued: nothing to hand back, nothing to allocate.
    if (mailbox.isEmpty) return;
    const { queued, waiting } = mailbox.close();
    for (const entry of queued) if (!extras.isStale(entry)) report.undeliverable(entry, 'unprocessed');
    for (const { entry, reject } of waiting) {
      if (!extras.isStale(entry)) report.undeliverable(entry, 'unprocessed');
      reject(new ActorStoppedError(this.path, unwrap(entry)));
    }
    for (const message of mailbox.drainSystem()) this.#dropSystem(message);
  }

  // ─── Snapshots ──────────────────────────────────────────────────────────────────────────────

  /** Takes the snapshot that was due: the restart point moves here (and, with a store, a save may start). */
  #takeSnapshot(): void {
    this.#snapshotDue = false;
    this.#snapshots.take();
  }

  /** `ctx.snapshot()`: a snapshot once the current message is handled. */
  requestSnapshot(): Promise<void> {
    return this.#snapshots.request();
  }

  // ─── Failure ────────────────────────────────────────────────────────────────────────────────

  #handlerFailed(error: unknown, entry: Entry<TMessage>): void {
    this.#phase = 'ready';
    this.#extras.handlerFailed();
    this.#currentAsk = undefined;
    // A failure is handled by its directive, not by a `ctx.stop()` the handler called before failing.
    this.#restartFreshAfterStep = false;
    const outcome = this.#failures.handlerFailed(error, entry, this.#currentOrdinal);
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
        void this.requestStop('discard', 'failed', error);
        return;
      case 'skip-and-escalate':
        this.#escalate(error);
        return;
    }
  }

  /** This actor failed without a message of its own: a child escalated to it. */
  #failedBy(error: unknown): void {
    const outcome = this.#failures.failedWithoutMessage(error);
    if (outcome === 'retry') this.#restartAuthorized(error);
    else if (outcome !== 'poison') this.#afterSkip(outcome, error);
  }

  /** Gives up the entry: dead letter, ask rejected, out of the log. */
  #skip(entry: Entry<TMessage>, reason: 'handler-failed' | 'poison', error: unknown): void {
    this.#report.deadLetter(reason, unwrap(entry), error);
    if (entry instanceof Ask) entry.fail(new ActorFailedError(this.path, error));
    this.#recovery.dropLast(this.#currentOrdinal);
    this.#failuresOf?.ended(this.#currentOrdinal);
  }

  /**
   * A message that failed `maxRetries` times in a row: dead-letter it and go on from the state
   * before it (rolling back, for keyed state a handler may have half-written).
   */
  #poison(entry: Entry<TMessage>, error: unknown): void {
    const attempts = this.#failures.attempts;
    this.#skip(entry, 'poison', error);
    this.#report.emit({ type: 'poison-message', message: unwrap(entry), error, attempts });
    if (this.#recovery.logs) this.#rollback();
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
    void this.requestStop('discard', 'escalated', cause);
    return false;
  }

  /** A `'permanent'` actor that stopped itself comes back afresh, once the handler or step in progress has ended. */
  #restartIfSelfStopped(): void {
    if (!this.#restartFreshAfterStep || this.#phase !== 'ready') return;
    this.#restartFreshAfterStep = false;
    if (this.#stop === undefined) this.#restartAuthorized(undefined, true);
  }

  #escalate(error: unknown): void {
    this.#report.emit({ type: 'actor-escalated', error });
    void this.requestStop('discard', 'escalated', error);
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
          this.#report.deadLetter('unprocessed', message.terminated);
          return;
        }
        let delivered: TMessage;
        try {
          delivered = (message.toMessage?.(message.terminated) ?? message.terminated) as TMessage;
        } catch (error) {
          // The mapping function is this actor's code, but there is no message to retry: the
          // notification is given up and the failure goes to the decider.
          this.#report.deadLetter('handler-failed', message.terminated, error);
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
        if (this.#stop === undefined) void this.requestStop('discard', 'shutdown');
        message.turn.pass();
        return;
    }
  }

  /** Handles a notification of the system lane (Terminated, Exit) as a message. */
  #handleNotice(message: TMessage): void {
    if (this.#handle(message, ++this.#taken) !== AWAITING) this.#mailbox.recordProcessed(1);
  }

  /**
   * A linked actor stopped. An actor that traps exits receives the exit as a message; one that
   * does not goes on after a normal stop, and after a failure stops too — or, `'permanent'`,
   * restarts from its snapshot, as it comes back from every exit of its own.
   */
  #exitSignal(exit: Exit): void {
    if (this.#trapExits) {
      if (this.#open()) this.#handleNotice(exit as TMessage);
      else this.#report.deadLetter('unprocessed', exit);
      return;
    }
    const failure = linkedFailure(exit);
    if (failure === undefined || this.#stop !== undefined) return;
    if (restartsAfter(this.#options.supervision.restart, 'link-exit')) this.#restartAuthorized(failure);
    else void this.requestStop('discard', 'linked', failure);
  }

  /** A system message that will never be handled: a notification goes to dead letters, a turn ends. */
  #dropSystem(message: SystemMessage): void {
    if (message.kind === 'terminated') this.#report.deadLetter('unprocessed', message.terminated);
    else if (message.kind === 'exit' && this.#trapExits) this.#report.deadLetter('unprocessed', message.exit);
    else if (message.kind === 'restart') message.turn.pass();
  }

  // ─── Parent side ────────────────────────────────────────────────────────────────────────────

  assertCanSpawn(): void {
    if (this.#stop !== undefined) throw new ActorStoppedError(this.path, undefined);
  }

  addChild(child: ChildCell): void {
    (this.#children ??= new Map()).set(child.name, child);
  }

  removeChild(child: ChildCell): void {
    if (this.#children?.get(child.name) === child) this.#children.delete(child.name);
  }

  childFailed(childPath: string, error: unknown): void {
    this.#pushSystem({ kind: 'child-failed', child: childPath, error });
  }

  authorizeRestart(child: ChildCell, error: unknown): RestartTurn | undefined {
    const turn = this.#supervisor.authorize([...this.children.values()], child, error);
    if (turn === undefined) {
      const { maxRestarts, withinMs } = this.#supervisor.options;
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
      void this.requestStop('discard', 'requested');
      return;
    }
    if (this.#stop !== undefined) return;
    this.#restartFreshAfterStep = true;
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
    this.#deathWatch.watch(watched.#deathWatch, toMessage);
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
    this.#links.link((target as ActorCell<unknown, unknown>).#links);
  }

  unlink(ref: AnyActorRef): void {
    const target = targetOf(ref);
    if (!(target instanceof ActorCell)) return;
    const partner = (target as ActorCell<unknown, unknown>).#linksOf;
    if (partner !== undefined) this.#linksOf?.unlink(partner);
  }

  trapExits(on: boolean): void {
    if (typeof on !== 'boolean') throw new InvalidOptionError('trapExits', 'true or false', on);
    this.#trapExits = on;
  }

  /** How this actor exited, or is exiting; undefined while no stop was requested. */
  exitReason(): ExitReason | undefined {
    const stop = this.#stop;
    return stop === undefined ? undefined : exitReasonOf(stop.reason, stop.error);
  }

  reply(value: unknown): boolean {
    const ask = this.#currentAsk;
    if (ask === undefined) return false;
    if (ask.reply(value)) return true;
    // Processing a message again after a restart answers an ask that was answered the first time.
    if (!this.#replay.active) this.#report.deadLetter('late-reply', value);
    return false;
  }

  #freeze(state: TState): TState {
    if (this.#freezes && typeof state === 'object' && state !== null) Object.freeze(state);
    return state;
  }
}
