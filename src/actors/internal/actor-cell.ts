/**
 * The actor cell owns one actor's mailbox, state, restart point, children and watchers, and runs
 * its messages one at a time when the dispatcher gives it a slice. Invariants: at most one message
 * (or lifecycle step) is in progress; the actor is `parked` exactly while a handler's promise is
 * pending and `suspended` exactly while a lifecycle step (start, restart) is; it is in the run
 * queue (`scheduled`) at most once; state changes only between messages; every entry taken since
 * the last snapshot is in the restart point's log (or, with per-message snapshots, is the entry in
 * progress), so a restart loses nothing.
 */
import { nanoid } from 'nanoid';
import { ActorFailedError, ActorStoppedError, InvalidOptionError, MailboxOverflowError, RestartIntensityExceededError } from '../../errors.js';
import { oneOf, positiveNumberOrInfinity } from '../../internal/validate.js';
import type { DeadLetterReason } from '../../mailbox/dead-letters.js';
import { Mailbox, type DropReason, type MailboxMetrics } from '../../mailbox/mailbox.js';
import { KeyedState } from '../../state/keyed-state.js';
import { backoffDelay, nextAttempt } from '../../supervision/backoff.js';
import { DIRECTIVES, type Directive } from '../../supervision/directive.js';
import { failureOutcome, type FailureOutcome } from '../../supervision/failure-outcome.js';
import { restartsAfter } from '../../supervision/restart-type.js';
import type { TimerHandle } from '../../clock.js';
import type { ActorRef, ActorStatus, AnyActorRef, AskOptions } from '../actor-ref.js';
import type { ActorMetrics } from '../actor-metrics.js';
import type { ActorDefinition } from '../behavior.js';
import type { ActorContext } from '../context.js';
import type { HookFailedEvent, SystemEvent } from '../events.js';
import type { ResolvedSpawnOptions } from '../spawn-options.js';
import type { StopReason, Terminated } from '../terminated.js';
import { Ask } from './ask.js';
import type { Runnable } from './dispatcher.js';
import { createContext, type WatchMapper } from './cell-context.js';
import { Envelope, Sequenced, unwrap, type Entry } from './envelope.js';
import { LocalActorRef, targetOf, type RefTarget } from './local-actor-ref.js';
import { Persistence } from './persistence.js';
import { SnapshotSchedule } from './snapshot-schedule.js';
import { RestartPoint, type RestartState, type Logged } from './restart-point.js';
import type { ChildCell, ParentSlot, SystemServices, StopMode } from './system-services.js';
import { SequenceBook } from './sequence-book.js';
import { SupervisorState, escalationError, type RestartTurn } from './supervisor-state.js';

type SystemMessage =
  | { readonly kind: 'terminated'; readonly terminated: Terminated; readonly toMessage: WatchMapper }
  | { readonly kind: 'child-failed'; readonly child: string; readonly error: unknown }
  | { readonly kind: 'restart'; readonly cause: unknown; readonly turn: RestartTurn };

const RESOLVED = Promise.resolve();

/** What handling an entry left the actor doing. */
const CONTINUE = 0;
const HALT = 1;
const AWAITING = 2;
type Outcome = typeof CONTINUE | typeof HALT | typeof AWAITING;

/** Default snapshot interval of keyed state, whose snapshots are views rather than references. */
const KEYED_EVERY_MESSAGES = 1000;

export class ActorCell<TState, TMessage> implements Runnable, RefTarget<TMessage>, ChildCell, ParentSlot {
  readonly id: string;
  readonly name: string;
  readonly path: string;
  readonly ref: ActorRef<TMessage>;
  readonly children = new Map<string, ChildCell>();

  readonly #services: SystemServices;
  readonly #parent: ParentSlot;
  readonly #definition: ActorDefinition<TState, TMessage>;
  readonly #options: ResolvedSpawnOptions;
  readonly #mailbox: Mailbox<Entry<TMessage>, SystemMessage>;
  readonly #context: ActorContext<TMessage>;
  readonly #supervisor: SupervisorState<ChildCell>;
  readonly #watchers = new Map<ActorCell<unknown, unknown>, WatchMapper>();
  readonly #watching = new Set<ActorCell<unknown, unknown>>();
  /** Snapshot log and restart point; undefined for plain state snapshotted after every message. */
  readonly #restartPoint: RestartPoint<TState, Entry<TMessage>> | undefined;
  readonly #snapshots: SnapshotSchedule<TState>;
  /** Shallow-freeze each new state: development mode, and state that is a plain object. */
  readonly #freezes: boolean;
  #state: TState;
  #status: ActorStatus = 'starting';
  /** New messages are accepted (false once a stop was requested). */
  #accepting = true;
  /** Queued user messages may be processed now. */
  #open = false;
  #parked = false;
  #suspended = false;
  #scheduled = false;
  #startBegun = false;
  #startCompleted = false;
  #restarts = 0;
  /** Every failure of this actor (retries included), for metrics. */
  #failed = 0;
  #currentAsk: Ask<TMessage> | undefined;
  /** A handler is running (or its promise pending). */
  #inHandler = false;
  /** How many entries were taken from the mailbox: each one's ordinal, kept through replays. */
  #taken = 0;
  #currentOrdinal = 0;
  /** The entry that failed last and how many times in a row; cleared when that entry succeeds. */
  #failing: Logged<Entry<TMessage>> | undefined;
  #failures = 0;
  #replay: Logged<Entry<TMessage>>[] = [];
  #replayIndex = 0;
  #replaying = false;
  /** Stopped while waiting to restart: finish the replay (already taken) though the mailbox is closed. */
  #replayOnly = false;
  /** Sequence numbers of this actor's links: what it sent, and what it took from each sender. */
  readonly #sequences = new SequenceBook();
  #snapshotDue = false;
  #backoffState: { attempt: number; at: number } | undefined;
  /** Ends the wait in progress (a restart backoff, or a turn in a group restart) early. */
  #interruptWait: (() => void) | undefined;
  #restartAfterMessage = false;
  #stopMode: StopMode = 'discard';
  #stopReason: StopReason = 'requested';
  #stopped: Promise<void> | undefined;
  #whenQuiescent: (() => void) | undefined;

  constructor(services: SystemServices, parent: ParentSlot, definition: ActorDefinition<TState, TMessage>, options: ResolvedSpawnOptions) {
    parent.assertCanSpawn();
    this.id = nanoid();
    this.name = options.name ?? `actor-${this.id}`;
    this.path = `${parent.path}/${this.name}`;
    if (parent.children.has(this.name)) {
      throw new InvalidOptionError('name', `a name no other child of ${parent.path} holds`, this.name);
    }
    this.#services = services;
    this.#parent = parent;
    this.#definition = definition;
    this.#options = options;
    this.#mailbox = new Mailbox<Entry<TMessage>, SystemMessage>(options.mailbox, this.path, (entry, reason) => this.#dropped(entry, reason), unwrap);
    this.#supervisor = new SupervisorState<ChildCell>(options.supervisor, services.clock);
    const initial = definition.initialState();
    const keyed = initial instanceof KeyedState;
    this.#freezes = services.freezeState && !keyed;
    this.#state = this.#freeze(initial);
    const { everyMessages, everyMs, store, key } = options.snapshot;
    if (keyed || store !== undefined || everyMs !== undefined || (everyMessages ?? 1) > 1) {
      const initial: RestartState<TState> = { sequence: 0, state: this.#state, ...this.#sequences.snapshot() };
      this.#restartPoint = new RestartPoint(everyMessages ?? (keyed ? KEYED_EVERY_MESSAGES : 1), initial);
    }
    const persistence = store === undefined ? undefined : new Persistence<TState>(store, key ?? this.path);
    const point = this.#restartPoint;
    const cell = this;
    this.#snapshots = new SnapshotSchedule(persistence, everyMs, services.clock, {
      path: this.path,
      get accepting() {
        return cell.#accepting;
      },
      capture:
        point === undefined
          ? undefined
          : () => {
              const { seq, highWater } = this.#sequences.snapshot();
              return point.capture(this.#state, seq, highWater);
            },
      due: () => {
        this.#snapshotDue = true;
        this.#wake();
      },
      emit: (event) => this.#emit(event),
    });
    this.ref = new LocalActorRef<TMessage>(this);
    this.#context = createContext(this, services, parent);
    parent.children.set(this.name, this);
    this.#wake();
  }

  get status(): ActorStatus {
    return this.#status;
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
    if (!this.#accepting) return this.#refuse(entry);
    if (!this.#mailbox.offer(entry)) return false;
    this.#wake();
    return true;
  }

  /** Enqueues an entry, waiting for room under backpressure. */
  deliverOrWait(entry: Entry<TMessage>): Promise<void> {
    if (!this.#accepting) {
      this.#refuse(entry);
      return Promise.reject(new ActorStoppedError(this.path, unwrap(entry)));
    }
    const waiting = this.#mailbox.offerOrWait(entry);
    if (waiting !== undefined) return waiting;
    this.#wake();
    return RESOLVED;
  }

  ask(message: TMessage, options: AskOptions | undefined): Promise<unknown> {
    const timeoutMs = options?.timeoutMs === undefined ? this.#services.askTimeoutMs : positiveNumberOrInfinity('timeoutMs', options.timeoutMs);
    if (!this.#accepting) {
      this.#refuse(message);
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
    if (!(target instanceof ActorCell)) throw new InvalidOptionError('ref', 'a ref of a local actor', ref);
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
    return { path: this.path, status: this.#status, ...this.#mailbox.metrics(), failed: this.#failed, restarts: this.#restarts };
  }

  /** Where this actor is in its life, as its flags: for the lifecycle test only. */
  lifecycleFlags(): Readonly<Record<string, boolean | string>> {
    return {
      status: this.#status,
      accepting: this.#accepting,
      open: this.#open,
      parked: this.#parked,
      suspended: this.#suspended,
      startBegun: this.#startBegun,
      startCompleted: this.#startCompleted,
      inHandler: this.#inHandler,
      replaying: this.#replaying,
      replayOnly: this.#replayOnly,
      restartAfterMessage: this.#restartAfterMessage,
      stopMode: this.#stopMode,
    };
  }

  // ─── Running ────────────────────────────────────────────────────────────────────────────────

  runSlice(): boolean {
    if (this.#mayStart()) this.#start();
    const mailbox = this.#mailbox;
    while (this.#idle() && mailbox.systemSize > 0 && (this.#startCompleted || !this.#accepting)) {
      this.#handleSystem(mailbox.takeSystem());
    }
    if (this.#idle() && (this.#open || this.#replayOnly)) {
      if (this.#replay.length > 0) this.#processReplay();
      if (this.#idle() && this.#open && this.#replay.length === 0) this.#processMailbox();
      if (this.#snapshotDue && this.#idle() && this.#open) this.#takeSnapshot();
    }
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
      const entry = mailbox.take();
      if (entry instanceof Sequenced && !this.#sequences.admit(entry.sender, entry.seq)) continue;
      processed++;
      const outcome = this.#handle(entry, ++this.#taken);
      if (outcome !== CONTINUE) {
        if (outcome === AWAITING) processed--; // counted when it settles
        break;
      }
    }
    mailbox.recordProcessed(processed);
  }

  /** Processes again what a restart handed back, before anything new from the mailbox. */
  #processReplay(): void {
    this.#replaying = true;
    // Read `#replay` afresh each time: a poison message found during the replay rolls back again
    // and replaces it.
    while (this.#replayIndex < this.#replay.length) {
      const { entry, ordinal } = this.#replay[this.#replayIndex++] as Logged<Entry<TMessage>>;
      if (entry instanceof Sequenced) this.#sequences.note(entry.sender, entry.seq);
      if (this.#handle(entry, ordinal) !== CONTINUE) break;
    }
    // An async or failing last entry finishes later; the next slice then finds the replay over.
    if (this.#replayIndex >= this.#replay.length && this.#idle()) this.#replayDone();
  }

  #replayDone(): void {
    this.#replayOnly = false;
    this.#replay = [];
    this.#replayIndex = 0;
    this.#replaying = false;
    this.#sequences.resumeAboveHighest();
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
    const point = this.#restartPoint;
    if (point === undefined) this.#sequences.mark();
    else point.taken(entry, ordinal);
    this.#currentOrdinal = ordinal;
    this.#inHandler = true;
    let next: TState | Promise<TState>;
    try {
      next = this.#definition.receive(this.#state, message, this.#context);
    } catch (error) {
      this.#handlerFailed(error, entry);
      return this.#idle() && (this.#open || this.#replayOnly) ? CONTINUE : HALT;
    }
    if (next instanceof Promise) {
      this.#awaitResult(next, entry);
      return AWAITING;
    }
    this.#succeeded(next);
    return this.#idle() && (this.#open || this.#replayOnly) ? CONTINUE : HALT;
  }

  #succeeded(next: TState): void {
    this.#inHandler = false;
    this.#state = this.#freezes ? this.#freeze(next) : next;
    this.#currentAsk = undefined;
    if (this.#failing?.ordinal === this.#currentOrdinal) this.#failing = undefined;
    if (this.#restartPoint?.succeeded() === true) this.#snapshotDue = true;
    if (this.#snapshotDue && this.#idle()) this.#takeSnapshot();
    if (this.#restartAfterMessage) {
      this.#restartAfterMessage = false;
      this.#restartFresh();
    }
  }

  #awaitResult(pending: Promise<TState>, entry: Entry<TMessage>): void {
    this.#parked = true;
    pending.then(
      (next) => {
        this.#parked = false;
        this.#mailbox.recordProcessed(1);
        this.#succeeded(next);
        this.#resume();
      },
      (error: unknown) => {
        this.#parked = false;
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

  /** Nothing in progress: no handler promise and no lifecycle step pending. */
  #idle(): boolean {
    return !this.#parked && !this.#suspended;
  }

  #hasWork(): boolean {
    if (!this.#idle()) return false;
    if (this.#mayStart()) return true;
    const mailbox = this.#mailbox;
    if (mailbox.systemSize > 0 && (this.#startCompleted || !this.#accepting)) return true;
    if (this.#replayOnly && this.#replay.length > 0) return true;
    return this.#open && (mailbox.size > 0 || this.#replay.length > 0 || this.#snapshotDue);
  }

  /** An actor starts when spawned, or when asked to drain before it got its first slice. */
  #mayStart(): boolean {
    return !this.#startBegun && (this.#accepting || this.#stopMode === 'drain');
  }

  #wake(): void {
    if (this.#scheduled || !this.#idle()) return;
    this.#scheduled = true;
    this.#services.dispatcher.enqueue(this);
  }

  /** Runs a lifecycle step; the actor takes nothing else until it ends (it never rejects). */
  #suspendFor(step: () => Promise<void>): void {
    this.#suspended = true;
    void step().then(() => {
      this.#suspended = false;
      this.#resume();
    });
  }

  // ─── Lifecycle ──────────────────────────────────────────────────────────────────────────────

  #start(): void {
    this.#startBegun = true;
    const { persistence } = this.#snapshots;
    if (persistence === undefined && this.#definition.started === undefined) {
      this.#startDone();
      return;
    }
    this.#suspendFor(async () => {
      if (persistence !== undefined && !(await this.#restoreFromStore(persistence))) return;
      const { started } = this.#definition;
      if (started !== undefined && !(await this.#callHook('started', () => started.call(this.#definition, this.#state, this.#context)))) {
        void this.requestStop('discard', 'failed');
        return;
      }
      this.#startDone();
    });
  }

  #startDone(): void {
    this.#startCompleted = true;
    this.#snapshots.arm();
    if (this.#accepting) {
      this.#status = 'running';
      this.#open = true;
      this.#emitLifecycle('actor-started');
    } else {
      this.#open = this.#stopMode === 'drain';
    }
  }

  /** Starts from the newest intact snapshot in the store, if any; false when the actor must stop. */
  async #restoreFromStore(persistence: Persistence<TState>): Promise<boolean> {
    try {
      const { restartState, skipped } = await persistence.load(() => this.#definition.initialState());
      if (restartState !== undefined) this.#adopt(restartState);
      this.#emit({ type: 'snapshot-restored', sequence: restartState?.sequence, skipped });
      return true;
    } catch (error) {
      this.#emitHookFailed('restore', error);
      void this.requestStop('discard', 'failed');
      return false;
    }
  }

  /** Makes `restartState` the current state and the restart point. */
  #adopt(restartState: RestartState<TState>): void {
    this.#state = restartState.state;
    this.#sequences.restore(restartState.seq, new Map(restartState.highWater));
    this.#restartPoint?.reset({ ...restartState, ...this.#sequences.snapshot() });
  }

  /** Calls a hook, awaiting it if it returns a promise; false (after an event) when it failed. */
  async #callHook(hook: HookFailedEvent['hook'], call: () => unknown): Promise<boolean> {
    try {
      await call();
      return true;
    } catch (error) {
      this.#emitHookFailed(hook, error);
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
    this.#status = 'restarting';
    this.#suspendFor(async () => {
      try {
        await this.#restartInTurn(cause, fresh, turn.ready);
      } finally {
        // Younger siblings wait for this, however the restart ended.
        turn.end();
      }
    });
  }

  /** The steps of `#restart`, once its turn is `ready`. */
  async #restartInTurn(cause: unknown, fresh: boolean, ready: Promise<void> | undefined): Promise<void> {
    await this.#backoff();
    if (ready !== undefined) await this.#unlessStopped(ready);
    if (!this.#accepting) {
      if (!fresh) this.#abandonRestart();
      return;
    }
    for (const child of [...this.children.values()].reverse()) await child.requestStop('discard', 'shutdown');
    const { restarting, started } = this.#definition;
    const dropped = this.#state;
    if (restarting !== undefined) {
      await this.#callHook('restarting', () => restarting.call(this.#definition, dropped, cause, this.#context));
    }
    if (fresh) {
      if (!this.#startAfresh()) return;
    } else {
      this.#rollback();
    }
    this.#restarts++;
    const replayed = this.#replay.length - this.#replayIndex;
    this.#emit({ type: 'actor-restarted', restarts: this.#restarts, error: cause, from: fresh ? 'initial-state' : 'snapshot', replayed });
    if (started !== undefined && !(await this.#callHook('started', () => started.call(this.#definition, this.#state, this.#context)))) {
      void this.requestStop('discard', 'failed');
      return;
    }
    if (this.#status === 'restarting') this.#status = 'running';
  }

  /**
   * Stopped while waiting to restart: the failed message goes to dead letters unprocessed, and the
   * state returns to the snapshot plus what was taken since (processed again before the actor
   * stops), so neither the state nor a final snapshot keeps a half-written failure.
   */
  #abandonRestart(): void {
    const failing = this.#failing;
    this.#failing = undefined;
    this.#rollback();
    if (failing !== undefined) {
      // It is in the replay now (logged since the snapshot, or put back by an earlier restart whose
      // replay has not reached it), or held nowhere else: it is given up exactly once either way.
      this.#replay = this.#replay.filter(({ ordinal }) => ordinal !== failing.ordinal);
      this.#undeliverable(failing.entry, 'unprocessed');
    }
    if (this.#replay.length > 0) this.#replayOnly = true;
    else this.#replayDone();
  }

  /** Rolls back to the restart point; what was taken since goes before what is left to replay. */
  #rollback(): void {
    const pending = this.#replay.slice(this.#replayIndex);
    const point = this.#restartPoint;
    const failing = this.#failing;
    if (point === undefined) {
      // Per-message snapshots: the state is untouched by the failed handler; only its entry repeats,
      // unless an earlier restart already put it back and its replay has not reached it yet.
      if (failing !== undefined && !pending.some(({ ordinal }) => ordinal === failing.ordinal)) {
        this.#sequences.rewindToMark();
        pending.unshift(failing);
      }
    } else {
      const { state, seq, highWater, replay } = point.rollback();
      this.#state = state;
      this.#sequences.restore(seq, highWater);
      pending.unshift(...replay);
    }
    this.#replay = pending;
    this.#replayIndex = 0;
    if (pending.length === 0) this.#replayDone();
  }

  /** A fresh start for a permanent actor that stopped itself; false when `initialState` threw. */
  #startAfresh(): boolean {
    let state: TState;
    try {
      state = this.#freeze(this.#definition.initialState());
    } catch (error) {
      this.#emitHookFailed('initialState', error);
      void this.requestStop('discard', 'failed');
      return false;
    }
    const sequence = (this.#restartPoint?.sequence ?? 0) + 1;
    // Sequence numbers keep rising across a fresh start, so receivers never mistake new sends for old.
    this.#adopt({ sequence, state, ...this.#sequences.snapshot() });
    this.#replayDone();
    return true;
  }

  /** Waits out the restart backoff, if any; a stop request cuts it short. */
  async #backoff(): Promise<void> {
    const backoff = this.#options.supervision.backoff;
    if (backoff === undefined) return;
    const { clock, random } = this.#services;
    const attempt = nextAttempt(this.#backoffState, clock.now(), backoff);
    const delay = backoffDelay(attempt, backoff, random());
    if (delay > 0) await this.#sleep(delay);
    // The stable period that resets the series runs from the restart, not from the failure.
    this.#backoffState = { attempt, at: clock.now() };
  }

  async #sleep(delay: number): Promise<void> {
    const { clock } = this.#services;
    let timer: TimerHandle;
    // Kept alive (the clock's default): a restart is work in progress, not housekeeping.
    await this.#unlessStopped(new Promise<void>((resolve) => (timer = clock.setTimeout(resolve, delay))));
    clock.clearTimeout(timer);
  }

  /** Waits for `until`, or not at all once a stop is requested: a stopping actor restarts nothing. */
  #unlessStopped(until: Promise<void>): Promise<void> {
    if (!this.#accepting) return RESOLVED;
    return new Promise<void>((resolve) => {
      const wake = (): void => {
        if (this.#interruptWait === wake) this.#interruptWait = undefined;
        resolve();
      };
      this.#interruptWait = wake;
      void until.then(wake);
    });
  }

  /**
   * Stops this actor: waits for the message or step in progress (and, in drain mode, for the
   * queue to empty), dead-letters what is left, stops children last-started first, saves a final
   * snapshot when it has a store, runs `stopping`, and tells watchers. Idempotent.
   */
  requestStop(mode: StopMode, reason: StopReason): Promise<void> {
    if (this.#stopped !== undefined) return this.#stopped;
    this.#accepting = false;
    this.#status = 'stopping';
    this.#stopMode = mode;
    this.#stopReason = reason;
    this.#open = this.#startCompleted && mode === 'drain';
    this.#interruptWait?.();
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
    const graceful = this.#stopReason === 'requested' || this.#stopReason === 'shutdown';
    await this.#snapshots.final(graceful && this.#startCompleted);
    const stopping = this.#definition.stopping;
    if (this.#startBegun && stopping !== undefined) {
      await this.#callHook('stopping', () => stopping.call(this.#definition, this.#state, this.#context));
    }
    this.#restartPoint?.close();
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
    if (!this.#idle() || this.#mayStart()) return false;
    if ((this.#open || this.#replayOnly) && this.#replay.length > 0) return false;
    return !(this.#open && this.#mailbox.size > 0);
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

  /** Dead-letters every queued message (and what was left to replay), rejecting waiting senders and asks. */
  #discardMailbox(): void {
    const leftover = this.#replay.slice(this.#replayIndex);
    this.#replay = [];
    this.#replayIndex = 0;
    for (const { entry } of leftover) this.#undeliverable(entry, 'unprocessed');
    const { queued, waiting } = this.#mailbox.close();
    for (const entry of queued) this.#undeliverable(entry, 'unprocessed');
    for (const { entry, reject } of waiting) {
      this.#undeliverable(entry, 'unprocessed');
      reject(new ActorStoppedError(this.path, unwrap(entry)));
    }
    for (const message of this.#mailbox.drainSystem()) this.#dropSystem(message);
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
    this.#inHandler = false;
    this.#currentAsk = undefined;
    this.#failed++;
    if (this.#failing?.ordinal === this.#currentOrdinal) this.#failures++;
    else {
      this.#failing = { entry, ordinal: this.#currentOrdinal };
      this.#failures = 1;
    }
    const directive = this.#decide(error);
    this.#emit({ type: 'actor-failed', error, message: unwrap(entry), directive, attempt: this.#failures });
    const { restart, maxRetries } = this.#options.supervision;
    const outcome = failureOutcome(directive, restart, this.#failures, maxRetries);
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
        void this.requestStop('discard', 'failed');
        return;
      case 'skip-and-escalate':
        this.#escalate(error);
        return;
    }
  }

  /** This actor failed without a message of its own: a child escalated to it. */
  #failedBy(error: unknown): void {
    this.#failed++;
    const directive = this.#decide(error);
    this.#emit({ type: 'actor-failed', error, message: undefined, directive, attempt: 1 });
    // No message to retry or set aside: a restart is a restart, and the rest is what follows a skip.
    const outcome = failureOutcome(directive, this.#options.supervision.restart, 1, Infinity);
    if (outcome === 'retry') this.#restartAuthorized(error);
    else if (outcome !== 'poison') this.#afterSkip(outcome, error);
  }

  /** Gives up the entry: dead letter, ask rejected, out of the log. */
  #skip(entry: Entry<TMessage>, reason: 'handler-failed' | 'poison', error: unknown): void {
    this.#deadLetter(reason, unwrap(entry), error);
    if (entry instanceof Ask) entry.fail(new ActorFailedError(this.path, error));
    this.#restartPoint?.dropLast();
    if (this.#failing?.ordinal === this.#currentOrdinal) this.#failing = undefined;
  }

  /**
   * A message that failed `maxRetries` times in a row: dead-letter it and go on from the state
   * before it (rolling back, for keyed state a handler may have half-written).
   */
  #poison(entry: Entry<TMessage>, error: unknown): void {
    const attempts = this.#failures;
    this.#skip(entry, 'poison', error);
    this.#emit({ type: 'poison-message', message: unwrap(entry), error, attempts });
    if (this.#restartPoint !== undefined) this.#rollback();
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
    void this.requestStop('discard', 'escalated');
    return false;
  }

  /** A `'permanent'` actor that stopped itself comes back afresh. */
  #restartFresh(): void {
    this.#restartAuthorized(undefined, true);
  }

  #escalate(error: unknown): void {
    this.#emit({ type: 'actor-escalated', error });
    void this.requestStop('discard', 'escalated');
    this.#parent.childFailed(this.path, error);
  }

  /**
   * The decider's directive. A decider that throws, or answers something that is not a directive
   * (an `InvalidOptionError` naming the answer), is reported as `hook-failed` and stops the actor.
   */
  #decide(error: unknown): Directive {
    try {
      return oneOf('supervision.decide(error)', this.#options.supervision.decide(error), DIRECTIVES);
    } catch (deciderError) {
      this.#emitHookFailed('decide', deciderError);
      return 'stop';
    }
  }

  // ─── System lane ────────────────────────────────────────────────────────────────────────────

  #pushSystem(message: SystemMessage): void {
    if (this.#status === 'stopped') {
      this.#dropSystem(message);
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
          // The mapping function is this actor's code, but there is no message to retry: the
          // notification is given up and the failure goes to the decider.
          this.#deadLetter('handler-failed', message.terminated, error);
          this.#failedBy(error);
          return;
        }
        if (this.#handle(delivered, ++this.#taken) !== AWAITING) this.#mailbox.recordProcessed(1);
        return;
      }
      case 'child-failed':
        if (this.#accepting) this.#failedBy(escalationError(message.child, message.error));
        return;
      case 'restart':
        if (this.#accepting) this.#restart(message.cause, false, message.turn);
        else message.turn.end();
        return;
    }
  }

  /** A system message that will never be handled: a notification goes to dead letters, a turn ends. */
  #dropSystem(message: SystemMessage): void {
    if (message.kind === 'terminated') this.#deadLetter('unprocessed', message.terminated);
    else if (message.kind === 'restart') message.turn.end();
  }

  // ─── Parent side ────────────────────────────────────────────────────────────────────────────

  assertCanSpawn(): void {
    if (!this.#accepting) throw new ActorStoppedError(this.path, undefined);
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

  /** `ctx.stop()`: a permanent actor restarts afresh after the current message; others stop. */
  stopSelf(): void {
    if (!restartsAfter(this.#options.supervision.restart, 'self-stop')) {
      void this.requestStop('discard', 'requested');
    } else if (this.#inHandler) {
      this.#restartAfterMessage = true;
    } else {
      this.#restartFresh();
    }
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
    // Processing a message again after a restart answers an ask that was answered the first time.
    if (!this.#replaying) this.#deadLetter('late-reply', value);
    return false;
  }

  // ─── Reporting ──────────────────────────────────────────────────────────────────────────────

  #freeze(state: TState): TState {
    if (this.#freezes && typeof state === 'object' && state !== null) Object.freeze(state);
    return state;
  }

  #refuse(entry: Entry<TMessage>): false {
    this.#deadLetter('recipient-stopped', unwrap(entry));
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
    const at = this.#services.clock.now();
    const letter = error === undefined ? { reason, recipient: this.path, message, at } : { reason, recipient: this.path, message, error, at };
    this.#services.deadLetters.post(letter);
  }

  /** Publishes an event about this actor, building it only when somebody listens. */
  #emit(event: DistributiveOmit<ActorEvent, 'path' | 'id' | 'at'>): void {
    const { events, clock } = this.#services;
    if (!events.hasSubscribers) return;
    events.publish({ ...event, path: this.path, id: this.id, at: clock.now() } as ActorEvent);
  }

  #emitLifecycle(type: 'actor-started' | 'actor-stopped'): void {
    if (type === 'actor-started') this.#emit({ type });
    else this.#emit({ type, reason: this.#stopReason });
  }

  #emitHookFailed(hook: HookFailedEvent['hook'], error: unknown): void {
    this.#emit({ type: 'hook-failed', hook, error });
  }
}

type ActorEvent = Exclude<SystemEvent, { type: 'system-terminated' }>;
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
