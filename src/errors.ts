/**
 * Every error Sluice throws or rejects with is a `SluiceError` carrying a `code` literal, so callers
 * can branch on `error.code` without string matching, and each carries what the caller needs to act.
 */
import type { PipelineHandle } from './streams/pipeline-handle.js';

/** The `code` of every {@link SluiceError}, one per subclass. */
export type SluiceErrorCode =
  | 'INVALID_OPTION'
  | 'MAILBOX_OVERFLOW'
  | 'ASK_TIMEOUT'
  | 'ACTOR_STOPPED'
  | 'ACTOR_FAILED'
  | 'RESTART_INTENSITY'
  | 'VIEW_RELEASED'
  | 'INVALID_KEY'
  | 'PIPELINE_FAILED'
  | 'INVALID_PIPELINE'
  | 'CHECKPOINT_UNUSABLE'
  | 'UPGRADE_FAILED'
  | 'SYSTEM_STOPPED'
  | 'JOURNAL_CLOSED'
  | 'JOURNAL_CORRUPTED'
  | 'JOURNAL_LOCKED'
  | 'JOURNAL_TRUNCATED'
  | 'UNCROSSABLE_RECORD'
  | 'WORKER_THREAD_FAILED'
  | 'JOB_MISMATCH'
  | 'MISSING_PEER_DEPENDENCY'
  | 'WORKER_PROCESS_LOST'
  | 'NATS_UNREACHABLE'
  | 'MALFORMED_MESSAGE'
  | 'MESSAGE_TOO_LARGE'
  | 'JETSTREAM_WRITE_FAILED'
  | 'JETSTREAM_TRUNCATED'
  | 'POSTGRES_UNREACHABLE'
  | 'POSTGRES_ROW_REJECTED'
  | 'POSTGRES_COMMIT_CONFLICT'
  | 'DROPPED_STATE'
  | 'STATE_VERSION'
  | 'STATE_MIGRATION_FAILED'
  | 'EVENT_PERSIST_FAILED'
  | 'EVENT_RECOVERY_FAILED'
  | 'EVENT_JOURNAL_CONFLICT'
  | 'STASH_OVERFLOW';

/**
 * Base class of every Sluice error.
 *
 * @example
 * ```ts
 * try { ref.tell(msg); } catch (error) { if (isSluiceError(error)) console.log(error.code); }
 * ```
 */
export abstract class SluiceError extends Error {
  /** Which kind of failure this is; stable across versions. */
  abstract readonly code: SluiceErrorCode;
}

/**
 * An option or argument was invalid; thrown at construction (spawn, createSystem) so nothing runs
 * with a bad configuration.
 */
export class InvalidOptionError extends SluiceError {
  readonly code = 'INVALID_OPTION' as const;
  /** The option's name as the caller wrote it, e.g. `mailbox.capacity`. */
  readonly option: string;
  /** The value that was rejected. */
  readonly received: unknown;
  /** What the value should have been, e.g. `a positive integer`. */
  readonly expectation: string;

  /** @param cause - what made the value unusable, when something else said so (a damaged file, say). */
  constructor(option: string, expectation: string, received: unknown, cause?: unknown) {
    super(`Expected \`${option}\` to be ${expectation}, got \`${describeValue(received)}\``, cause === undefined ? undefined : { cause });
    this.name = 'InvalidOptionError';
    this.option = option;
    this.received = received;
    this.expectation = expectation;
  }
}

/**
 * A mailbox with the `'fail'` overflow policy was full. The message was not enqueued; it is handed
 * back here so the caller loses nothing.
 */
export class MailboxOverflowError<TMessage = unknown> extends SluiceError {
  readonly code = 'MAILBOX_OVERFLOW' as const;
  /** The message that did not fit. */
  readonly undelivered: TMessage;
  /** Path of the actor whose mailbox was full. */
  readonly recipient: string;
  /** The mailbox capacity that was reached. */
  readonly capacity: number;

  constructor(recipient: string, capacity: number, undelivered: TMessage) {
    super(`Mailbox of ${recipient} is full (capacity ${capacity})`);
    this.name = 'MailboxOverflowError';
    this.recipient = recipient;
    this.capacity = capacity;
    this.undelivered = undelivered;
  }
}

/** An `ask` got no reply within its timeout. */
export class AskTimeoutError extends SluiceError {
  readonly code = 'ASK_TIMEOUT' as const;
  /** Path of the actor that was asked. */
  readonly recipient: string;
  /** The timeout that elapsed, in milliseconds. */
  readonly timeoutMs: number;
  /** The message that was asked. */
  readonly request: unknown;

  constructor(recipient: string, timeoutMs: number, request: unknown) {
    super(`Ask to ${recipient} timed out after ${timeoutMs} ms`);
    this.name = 'AskTimeoutError';
    this.recipient = recipient;
    this.timeoutMs = timeoutMs;
    this.request = request;
  }
}

/**
 * The target actor was stopped (or stopping) before it could take the message. The message also
 * went to dead letters; it is handed back here.
 */
export class ActorStoppedError<TMessage = unknown> extends SluiceError {
  readonly code = 'ACTOR_STOPPED' as const;
  /** Path of the stopped actor. */
  readonly recipient: string;
  /** The message that was not delivered. */
  readonly undelivered: TMessage;

  constructor(recipient: string, undelivered: TMessage) {
    super(`Actor ${recipient} is stopped`);
    this.name = 'ActorStoppedError';
    this.recipient = recipient;
    this.undelivered = undelivered;
  }
}

/**
 * An actor's handler threw (or rejected). Rejects the `ask` whose message failed, and is what a
 * parent receives when a child escalates; `cause` holds the original error.
 */
export class ActorFailedError extends SluiceError {
  readonly code = 'ACTOR_FAILED' as const;
  /** Path of the actor that failed. */
  readonly actor: string;

  constructor(actor: string, cause: unknown) {
    super(`Actor ${actor} failed: ${errorMessage(cause)}`, { cause });
    this.name = 'ActorFailedError';
    this.actor = actor;
  }
}

/**
 * A supervisor had to restart its children more than `maxRestarts` times within `withinMs`, so it
 * gave up: it stops its children and escalates this error (at the top, the system stops with it).
 * `cause` is the error that caused the last restart.
 */
export class RestartIntensityExceededError extends SluiceError {
  readonly code = 'RESTART_INTENSITY' as const;
  /** Path of the supervisor that gave up (`/user` for the system's top level). */
  readonly supervisor: string;
  /** Path of the child whose restart was one too many. */
  readonly child: string;
  readonly maxRestarts: number;
  readonly withinMs: number;

  constructor(supervisor: string, child: string, limit: { maxRestarts: number; withinMs: number }, cause: unknown) {
    super(
      `Supervisor ${supervisor} gave up: more than ${limit.maxRestarts} restarts within ${limit.withinMs} ms ` + `(last: ${child}: ${errorMessage(cause)})`,
      { cause },
    );
    this.name = 'RestartIntensityExceededError';
    this.supervisor = supervisor;
    this.child = child;
    this.maxRestarts = limit.maxRestarts;
    this.withinMs = limit.withinMs;
  }
}

/**
 * A view was used after `release()`. Thrown by every read of a released view (including the next
 * step of an iteration begun before the release) and by `KeyedState.restore`.
 *
 * @example
 * ```ts
 * const view = state.snapshot();
 * view.release();
 * view.get('a'); // throws ViewReleasedError
 * ```
 */
export class ViewReleasedError extends SluiceError {
  readonly code = 'VIEW_RELEASED' as const;

  constructor() {
    super('This KeyedState view was released: it no longer tracks the state, take a new snapshot');
    this.name = 'ViewReleasedError';
  }
}

/**
 * A record's partition key is not a `PartitionKey` (a string, number, bigint, boolean, null, bytes,
 * or a tuple of those): it cannot be hashed the same way in every run, so it is refused.
 */
export class InvalidKeyError extends SluiceError {
  readonly code = 'INVALID_KEY' as const;
  /** The key that was refused. */
  readonly key: unknown;

  constructor(key: unknown) {
    super(`Cannot partition by ${describeValue(key)}: a key must be a string, number, bigint, boolean, null, bytes or a tuple of those`);
    this.name = 'InvalidKeyError';
    this.key = key;
  }
}

/**
 * A pipeline could not go on: an actor of it failed on the same batch again and again (a bug in the
 * pipeline, not a bad record — those go to dead letters one by one). `cause` is the last error.
 */
export class PipelineFailedError extends SluiceError {
  readonly code = 'PIPELINE_FAILED' as const;
  /** Path of the actor that kept failing. */
  readonly actor: string;

  constructor(actor: string, cause: unknown) {
    super(`Pipeline actor ${actor} kept failing: ${errorMessage(cause)}`, { cause });
    this.name = 'PipelineFailedError';
    this.actor = actor;
  }
}

/**
 * A pipeline was built wrong (a window on a stream without timestamps, say). Thrown by the builder
 * at the operator that cannot work, before anything runs; or, for what only shows at run time (an
 * event-time timer on a stream without timestamps), by the call that cannot work.
 */
export class InvalidPipelineError extends SluiceError {
  readonly code = 'INVALID_PIPELINE' as const;
  /** The operator the problem is at. */
  readonly operator: string;

  constructor(operator: string, problem: string) {
    super(`Invalid pipeline at \`${operator}\`: ${problem}`);
    this.name = 'InvalidPipelineError';
    this.operator = operator;
  }
}

/**
 * A pipeline's checkpoint folder holds checkpoints, but none can be used (every manifest or one of
 * its snapshot files is missing, torn or corrupt). The run refuses to start rather than start over
 * and write its output a second time. `skipped` says what was wrong with each, newest first.
 */
export class CheckpointUnusableError extends SluiceError {
  readonly code = 'CHECKPOINT_UNUSABLE' as const;
  /** The checkpoint folder. */
  readonly dir: string;
  readonly skipped: readonly { readonly id: number; readonly reason: string }[];

  constructor(dir: string, skipped: readonly { readonly id: number; readonly reason: string }[]) {
    super(`No usable checkpoint in ${dir}: ${skipped.map((s) => `checkpoint ${s.id}: ${s.reason}`).join('; ')}`);
    this.name = 'CheckpointUnusableError';
    this.dir = dir;
    this.skipped = skipped;
  }
}

/**
 * `handle.upgrade(next)` stopped the running version at a checkpoint, but the next version could
 * not start from it (its `run` threw, or it failed before it began reading: another stage layout,
 * state it cannot restore). The previous version was started again from that same checkpoint, so
 * no record is lost or counted twice; `previous` is its handle, the job's handle from now on, and
 * `cause` is why the next version failed.
 */
export class UpgradeFailedError extends SluiceError {
  readonly code = 'UPGRADE_FAILED' as const;
  /** The previous version, running again from the checkpoint the upgrade took. */
  readonly previous: PipelineHandle;

  constructor(cause: unknown, previous: PipelineHandle) {
    super(`The next version failed to start (${errorMessage(cause)}); the previous version goes on from the same checkpoint`, { cause });
    this.name = 'UpgradeFailedError';
    this.previous = previous;
  }
}

/**
 * A record on its way to another thread holds something that cannot cross intact (a function, a
 * symbol, an instance of a class): the run fails at the first such record rather than compute on a
 * copy that lost it. Records that cross threads must be plain data.
 */
export class UncrossableRecordError extends SluiceError {
  readonly code = 'UNCROSSABLE_RECORD' as const;
  /** The step or stage that produced the record (`source` for records straight from the source). */
  readonly stage: string;
  /** What could not cross, e.g. `an instance of class Order`. */
  readonly what: string;

  constructor(stage: string, what: string) {
    super(
      `A record from \`${stage}\` cannot cross to another thread: it holds ${what}. Records that cross threads must be plain data ` +
        '(primitives, plain objects, arrays, Maps, Sets, Dates, typed arrays): map it to plain data first, or give the stage it goes to a `codec`.',
    );
    this.name = 'UncrossableRecordError';
    this.stage = stage;
    this.what = what;
  }
}

/**
 * A worker thread of a job died (it ran out of memory, user code called `process.exit`, an error
 * was thrown outside any handler) or could not start its part: the run fails with this, naming the
 * thread and the partitions it ran. `cause` is what the thread reported, when it could.
 */
export class WorkerThreadError extends SluiceError {
  readonly code = 'WORKER_THREAD_FAILED' as const;
  /** The thread's number, 1 to `workers`. */
  readonly thread: number;
  /** The partitions it ran, as `stage[partition]`. */
  readonly partitions: readonly string[];

  constructor(thread: number, partitions: readonly string[], problem: string, cause?: unknown) {
    const ran = partitions.length === 0 ? 'no partitions' : `partitions ${partitions.join(', ')}`;
    super(`Worker thread ${thread} (${ran}) ${problem}`, cause === undefined ? undefined : { cause });
    this.name = 'WorkerThreadError';
    this.thread = thread;
    this.partitions = partitions;
  }
}

/**
 * A worker process of a job run across processes was lost (its lease ran out: it died, hung or
 * lost its connection) or could not take its part: the run goes on from its last checkpoint
 * without it, or fails with this when it cannot. Names the worker and the partitions it ran.
 */
export class WorkerProcessError extends SluiceError {
  readonly code = 'WORKER_PROCESS_LOST' as const;
  /** The worker's id. */
  readonly worker: string;
  /** The partitions it ran, as `stage[partition]`. */
  readonly partitions: readonly string[];

  constructor(worker: string, partitions: readonly string[], problem: string, cause?: unknown) {
    const ran = partitions.length === 0 ? 'no partitions' : `partitions ${partitions.join(', ')}`;
    super(`Worker process ${worker} (${ran}) ${problem}`, cause === undefined ? undefined : { cause });
    this.name = 'WorkerProcessError';
    this.worker = worker;
    this.partitions = partitions;
  }
}

/**
 * A thread (or process) running a job built another plan from the job module than the main thread
 * did: its module builds something that depends on more than its arguments (the time, the
 * environment, `Math.random()`), or another version of the module was loaded. Nothing ran.
 */
export class JobMismatchError extends SluiceError {
  readonly code = 'JOB_MISMATCH' as const;
  /** The job module's URL. */
  readonly url: string;

  /** @param than - what the plan differs from: the main thread's, by default. */
  constructor(url: string, where: string, difference: string, than = 'in the main thread') {
    super(
      `The job module ${url} built another plan in ${where} than ${than} (${difference}); a job module must build the same pipeline from the same arguments everywhere`,
    );
    this.name = 'JobMismatchError';
    this.url = url;
  }
}

/**
 * A connector's client library is an optional peer dependency that is not installed: the core
 * installs nothing a connector needs, so the application that uses the connector installs it.
 */
export class MissingPeerDependencyError extends SluiceError {
  readonly code = 'MISSING_PEER_DEPENDENCY' as const;
  /** The packages to install. */
  readonly packages: readonly string[];

  constructor(feature: string, packages: readonly string[], cause: unknown) {
    super(`${feature} needs the optional peer dependencies ${packages.join(', ')}: npm install ${packages.join(' ')}`, { cause });
    this.name = 'MissingPeerDependencyError';
    this.packages = packages;
  }
}

/**
 * No NATS server answered at the given addresses (shown without credentials), or it refused the
 * connection (authentication, TLS); `cause` holds the client's own error.
 */
export class NatsUnreachableError extends SluiceError {
  readonly code = 'NATS_UNREACHABLE' as const;
  /** The addresses tried, with any user information replaced by `***`. */
  readonly servers: string;

  constructor(servers: string, reason: string, cause: unknown) {
    super(`Cannot connect to NATS at ${servers}: ${reason}`, { cause });
    this.name = 'NatsUnreachableError';
    this.servers = servers;
  }
}

/**
 * A JetStream message a source read could not be decoded into a record: the pipeline sends it to
 * dead letters with this error (and the payload as text) and goes on with the next message.
 */
export class MalformedMessageError extends SluiceError {
  readonly code = 'MALFORMED_MESSAGE' as const;
  /** The stream it was read from. */
  readonly stream: string;
  /** Its subject. */
  readonly subject: string;
  /** Its stream sequence: where to find it again (`nats stream get <stream> <sequence>`). */
  readonly sequence: number;

  constructor(stream: string, subject: string, sequence: number, cause: unknown) {
    super(`Message ${sequence} of stream ${stream} (subject ${subject}) could not be decoded: ${errorMessage(cause)}`, { cause });
    this.name = 'MalformedMessageError';
    this.stream = stream;
    this.subject = subject;
    this.sequence = sequence;
  }
}

/**
 * A record encoded into more bytes (payload and headers) than the NATS server takes in one
 * message (its `max_payload`): nothing of it was published.
 */
export class MessageTooLargeError extends SluiceError {
  readonly code = 'MESSAGE_TOO_LARGE' as const;
  /** The subject it was for. */
  readonly subject: string;
  /** Its size, payload and headers. */
  readonly bytes: number;
  /** The server's limit. */
  readonly maxPayload: number;

  constructor(subject: string, bytes: number, maxPayload: number) {
    super(
      `A record for ${subject} encodes into ${bytes} bytes, more than the server's max_payload of ${maxPayload}: raise max_payload in the server's configuration, or encode the record smaller`,
    );
    this.name = 'MessageTooLargeError';
    this.subject = subject;
    this.bytes = bytes;
    this.maxPayload = maxPayload;
  }
}

/**
 * JetStream refused a write for a reason waiting cannot cure (no stream takes the subject, another
 * stream than the expected one does, the server failed to store it), or the stream keeps message
 * ids for a shorter time than exactly-once output needs. Refusals because the stream is full are
 * not this error: the writer waits and tries again.
 */
export class JetStreamWriteError extends SluiceError {
  readonly code = 'JETSTREAM_WRITE_FAILED' as const;
  /** The subject written to. */
  readonly subject: string;

  constructor(subject: string, reason: string, cause?: unknown) {
    super(`Writing to ${subject} failed: ${reason}`, cause === undefined ? undefined : { cause });
    this.name = 'JetStreamWriteError';
    this.subject = subject;
  }
}

/**
 * A JetStream source was asked to resume after a sequence whose successors the stream no longer
 * holds (limits or a purge removed them): the messages between are lost to this job, which is to
 * be investigated, not skipped silently.
 */
export class JetStreamTruncatedError extends SluiceError {
  readonly code = 'JETSTREAM_TRUNCATED' as const;
  /** The stream. */
  readonly stream: string;
  /** The sequence the source was to read on after. */
  readonly after: number;
  /** The stream's first sequence now. */
  readonly firstSequence: number;

  constructor(stream: string, after: number, firstSequence: number) {
    super(
      `Stream ${stream} no longer holds the messages after sequence ${after}: it now starts at ${firstSequence}, so ${firstSequence - after - 1} were removed before this job read them`,
    );
    this.name = 'JetStreamTruncatedError';
    this.stream = stream;
    this.after = after;
    this.firstSequence = firstSequence;
  }
}

/**
 * PostgreSQL could not be reached (nothing answers, the name does not resolve, TLS fails) or refused
 * the connection (authentication, an unknown database or role), or stayed away longer than a
 * connector waits for it. `where` names the server as `user@host:port/database`, never a password;
 * `cause` holds the client's own error.
 */
export class PostgresUnreachableError extends SluiceError {
  readonly code = 'POSTGRES_UNREACHABLE' as const;
  /** The server, as `user@host:port/database` (no password). */
  readonly where: string;
  /** The server's SQLSTATE (e.g. `28P01` for a wrong password), when it answered with one. */
  readonly sqlState: string | undefined;

  constructor(where: string, reason: string, sqlState: string | undefined, cause: unknown) {
    super(`Cannot connect to PostgreSQL at ${where}: ${reason}`, { cause });
    this.name = 'PostgresUnreachableError';
    this.where = where;
    this.sqlState = sqlState;
  }
}

/**
 * PostgreSQL refused one record's row (a constraint, a value of the wrong type, a value too long):
 * the record goes to the pipeline's dead letters with this error, with the database's own message,
 * and the rows around it are written.
 */
export class PostgresRowRejectedError extends SluiceError {
  readonly code = 'POSTGRES_ROW_REJECTED' as const;
  /** The table the row was for, as written in SQL (quoted). */
  readonly table: string;
  /** The server's SQLSTATE, e.g. `23505` (unique violation) or `22P02` (invalid text representation). */
  readonly sqlState: string;
  /** The constraint that refused it, when the server named one. */
  readonly constraint: string | undefined;
  /** The server's detail line, when it gave one. */
  readonly detail: string | undefined;

  constructor(table: string, message: string, sqlState: string, constraint: string | undefined, detail: string | undefined, cause: unknown) {
    super(`PostgreSQL refused a row for ${table}: ${message}${detail === undefined ? '' : ` (${detail})`}`, { cause });
    this.name = 'PostgresRowRejectedError';
    this.table = table;
    this.sqlState = sqlState;
    this.constraint = constraint;
    this.detail = detail;
  }
}

/**
 * A PostgreSQL sink's commit was refused because the commit table says another writer owns its
 * output now (a newer run recovered it: this one is a zombie) or has already applied a newer
 * checkpoint than this run resumes from. Nothing of the refused interval was written.
 */
export class PostgresCommitConflictError extends SluiceError {
  readonly code = 'POSTGRES_COMMIT_CONFLICT' as const;
  /** The job the commits belong to. */
  readonly job: string;
  /** The sink partition. */
  readonly partition: number;

  constructor(job: string, partition: number, reason: string) {
    super(`The commit of job ${job}, sink partition ${partition}, was refused: ${reason}`);
    this.name = 'PostgresCommitConflictError';
    this.job = job;
    this.partition = partition;
  }
}

/** The actor system is shutting down or has terminated, so it cannot spawn. */
export class SystemStoppedError extends SluiceError {
  readonly code = 'SYSTEM_STOPPED' as const;
  /** Name of the system. */
  readonly system: string;

  constructor(system: string) {
    super(`Actor system ${system} is stopped`);
    this.name = 'SystemStoppedError';
    this.system = system;
  }
}

/**
 * A journal was closed (or closed itself after a write or fsync failed, when `cause` holds that
 * failure): it takes no more appends and no new readers.
 */
export class JournalClosedError extends SluiceError {
  readonly code = 'JOURNAL_CLOSED' as const;
  /** The journal's folder. */
  readonly dir: string;

  constructor(dir: string, cause?: unknown) {
    super(
      cause === undefined ? `Journal ${dir} is closed` : `Journal ${dir} closed itself after a failed write: ${errorMessage(cause)}`,
      cause === undefined ? undefined : { cause },
    );
    this.name = 'JournalClosedError';
    this.dir = dir;
  }
}

/**
 * Bytes of a journal segment that were once durable do not check out (checksum, framing, record
 * sequence): damage at rest, not a torn write, so nothing is skipped or truncated.
 */
export class JournalCorruptedError extends SluiceError {
  readonly code = 'JOURNAL_CORRUPTED' as const;
  /** Path of the damaged segment file. */
  readonly segment: string;
  /** Byte position in that file where the damage starts. */
  readonly position: number;
  /** What is wrong there. */
  readonly reason: string;

  constructor(segment: string, position: number, reason: string) {
    super(`Journal segment ${segment} is corrupted at byte ${position}: ${reason}`);
    this.name = 'JournalCorruptedError';
    this.segment = segment;
    this.position = position;
    this.reason = reason;
  }
}

/**
 * Another live process (or another open journal in this process) holds the journal's lock. A lock
 * left by a dead process on this host is taken over instead.
 */
export class JournalLockedError extends SluiceError {
  readonly code = 'JOURNAL_LOCKED' as const;
  /** The journal's folder. */
  readonly dir: string;
  /** The holder's process id, when the lock file names one. */
  readonly pid: number | undefined;
  /** The holder's host name, when the lock file names one. */
  readonly hostname: string | undefined;

  constructor(dir: string, holder: { pid?: number | undefined; hostname?: string | undefined }, detail: string) {
    super(`Journal ${dir} is locked: ${detail}`);
    this.name = 'JournalLockedError';
    this.dir = dir;
    this.pid = holder.pid;
    this.hostname = holder.hostname;
  }
}

/**
 * Records a reader needs were deleted by `truncateBefore`: the reader started, or fell, behind the
 * journal's start. Resuming from an older checkpoint than the journal keeps is data loss to
 * investigate, not an offset typo.
 */
export class JournalTruncatedError extends SluiceError {
  readonly code = 'JOURNAL_TRUNCATED' as const;
  /** The offset that was asked for. */
  readonly offset: number;
  /** The journal's first offset now. */
  readonly start: number;

  constructor(offset: number, start: number) {
    super(`Journal offset ${offset} was truncated away: the journal now starts at ${start}`);
    this.name = 'JournalTruncatedError';
    this.offset = offset;
    this.start = start;
  }
}

/**
 * A checkpoint holds state of stateful stages the pipeline resuming it no longer has (by id): the
 * run refuses to start rather than lose that state silently. Give the stages their old ids (the
 * `id` option), or say the state may go with `allowDroppedState: true`.
 */
export class DroppedStateError extends SluiceError {
  readonly code = 'DROPPED_STATE' as const;
  /** Ids of the checkpoint's stateful stages that no stage of the pipeline has. */
  readonly dropped: readonly string[];
  /** Ids of the checkpoint's stages, in its order. */
  readonly checkpointStages: readonly string[];
  /** Ids of the pipeline's stages, in its order. */
  readonly pipelineStages: readonly string[];

  constructor(location: string, dropped: readonly string[], checkpointStages: readonly string[], pipelineStages: readonly string[]) {
    const list = (ids: readonly string[]): string => (ids.length === 0 ? 'none' : ids.join(', '));
    super(
      `The checkpoint in ${location} holds state of stage${dropped.length === 1 ? '' : 's'} ${list(dropped)}, which this pipeline does not have ` +
        `(the checkpoint's stages: ${list(checkpointStages)}; the pipeline's: ${list(pipelineStages)}). Give the stages their old ids ` +
        '(the id option), or run with allowDroppedState: true to go on without that state.',
    );
    this.name = 'DroppedStateError';
    this.dropped = dropped;
    this.checkpointStages = checkpointStages;
    this.pipelineStages = pipelineStages;
  }
}

/** Where state that cannot be restored came from, beyond its subject: an actor's snapshot in its store. */
export interface StateSnapshotOrigin {
  /** The snapshot key in the store. */
  readonly snapshotKey: string;
  /** The snapshot's sequence. */
  readonly sequence: number;
}

/**
 * State was written at a `stateVersion` the code cannot take: a newer one than the code's own (the
 * code is older than the state: run code that declares that version or later), or an older one
 * with no `migrate` to bring it forward. Nothing was restored and nothing was written, so the
 * state is still there for code that can read it. `subject` names what holds it: a pipeline stage
 * (`stage count`) or an actor's snapshot (`snapshot 3 of "visits"`).
 */
export class StateVersionError extends SluiceError {
  readonly code = 'STATE_VERSION' as const;
  readonly subject: string;
  /** The version the state was written at. */
  readonly storedVersion: number;
  /** The version the code declares (`stateVersion`). */
  readonly codeVersion: number;
  /** For an actor's snapshot: its key in the store; undefined for a pipeline stage. */
  readonly snapshotKey: string | undefined;
  /** For an actor's snapshot: its sequence; undefined for a pipeline stage. */
  readonly sequence: number | undefined;

  constructor(subject: string, storedVersion: number, codeVersion: number, origin?: StateSnapshotOrigin) {
    const why =
      storedVersion > codeVersion
        ? `a newer version than this code's ${codeVersion}: run code that declares stateVersion ${storedVersion} or later`
        : `an older version than this code's ${codeVersion}, and the code has no migrate to bring it forward`;
    super(`The state of ${subject} was written at state version ${storedVersion}, ${why}`);
    this.name = 'StateVersionError';
    this.subject = subject;
    this.storedVersion = storedVersion;
    this.codeVersion = codeVersion;
    this.snapshotKey = origin?.snapshotKey;
    this.sequence = origin?.sequence;
  }
}

/**
 * A `migrate` threw while bringing restored state to the code's `stateVersion`: the run (or the
 * actor) did not start, and nothing was written, so the state stays as it was for a fixed
 * migration to try again. `cause` is what it threw; `entry` names the key whose state it failed on
 * (a pipeline stage's key, an entry of an actor's `KeyedState`), undefined for an actor's plain state.
 */
export class StateMigrationError extends SluiceError {
  readonly code = 'STATE_MIGRATION_FAILED' as const;
  readonly subject: string;
  readonly fromVersion: number;
  readonly toVersion: number;
  readonly entry: { readonly key: unknown } | undefined;
  /** For an actor's snapshot: its key in the store; undefined for a pipeline stage. */
  readonly snapshotKey: string | undefined;
  /** For an actor's snapshot: its sequence; undefined for a pipeline stage. */
  readonly sequence: number | undefined;

  constructor(
    subject: string,
    fromVersion: number,
    toVersion: number,
    entry: { readonly key: unknown } | undefined,
    cause: unknown,
    origin?: StateSnapshotOrigin,
  ) {
    const at = entry === undefined ? '' : ` at key ${describeValue(entry.key)}`;
    super(`Migrating the state of ${subject} from version ${fromVersion} to ${toVersion} failed${at}: ${errorMessage(cause)}`, {
      cause,
    });
    this.name = 'StateMigrationError';
    this.subject = subject;
    this.fromVersion = fromVersion;
    this.toVersion = toVersion;
    this.entry = entry;
    this.snapshotKey = origin?.snapshotKey;
    this.sequence = origin?.sequence;
  }
}

/**
 * An event-sourced actor could not persist the events of a command: the journal refused or failed
 * the append. Nothing was applied to the state and nothing was replied; the actor fails with this
 * error and its supervision decides. The events may or may not be in the journal (a failed write
 * is in doubt): the actor finds out by recovering before its next command, and a command retried
 * after a restart never writes its events twice.
 */
export class EventPersistError extends SluiceError {
  readonly code = 'EVENT_PERSIST_FAILED' as const;
  readonly persistenceId: string;
  /** The sequence number the first of the events would have had. */
  readonly fromSequence: number;
  /** How many events the command asked to persist. */
  readonly events: number;

  constructor(persistenceId: string, fromSequence: number, events: number, cause: unknown) {
    const range = events === 1 ? `event ${fromSequence}` : `events ${fromSequence} to ${fromSequence + events - 1}`;
    super(`Persisting ${range} of ${persistenceId} failed: ${errorMessage(cause)}`, { cause });
    this.name = 'EventPersistError';
    this.persistenceId = persistenceId;
    this.fromSequence = fromSequence;
    this.events = events;
  }
}

/**
 * An event-sourced actor could not recover its state exactly: a snapshot that is not one of an
 * event-sourced actor, events missing between the snapshot and the journal's first event, an event
 * that cannot be read back, or `apply` throwing on a stored event. The actor does not start (it
 * stops with a `hook-failed` event); nothing is written, so journal and snapshots stay as they were.
 */
export class EventRecoveryError extends SluiceError {
  readonly code = 'EVENT_RECOVERY_FAILED' as const;
  readonly persistenceId: string;
  /** What made the recovery impossible. */
  readonly reason: string;

  constructor(persistenceId: string, reason: string, cause?: unknown) {
    super(`Recovering ${persistenceId} failed: ${reason}${cause === undefined ? '' : `: ${errorMessage(cause)}`}`, cause === undefined ? undefined : { cause });
    this.name = 'EventRecoveryError';
    this.persistenceId = persistenceId;
    this.reason = reason;
  }
}

/**
 * Another writer appended to a persistence id's events since this one opened its log: two actors
 * (or two processes) run with the same persistence id. Nothing of the refused append was written.
 */
export class EventJournalConflictError extends SluiceError {
  readonly code = 'EVENT_JOURNAL_CONFLICT' as const;
  readonly persistenceId: string;
  /** The sequence number the refused append started at. */
  readonly sequence: number;

  constructor(persistenceId: string, sequence: number, detail: string) {
    super(`Event ${sequence} of ${persistenceId} was written by another writer: ${detail}`);
    this.name = 'EventJournalConflictError';
    this.persistenceId = persistenceId;
    this.sequence = sequence;
  }
}

/**
 * An actor's stash was full when its handler set one more message aside (`ctx.stash.add()`): the
 * message went to dead letters as `'stash-overflow'`, and an `ask` for it rejects with this.
 */
export class StashOverflowError<TMessage = unknown> extends SluiceError {
  readonly code = 'STASH_OVERFLOW' as const;
  /** Path of the actor whose stash was full. */
  readonly actor: string;
  /** The stash capacity that was reached (`spawn` option `stash.capacity`). */
  readonly capacity: number;
  /** The message that did not fit. */
  readonly undelivered: TMessage;

  constructor(actor: string, capacity: number, undelivered: TMessage) {
    super(`The stash of ${actor} is full (capacity ${capacity}, the spawn option stash.capacity)`);
    this.name = 'StashOverflowError';
    this.actor = actor;
    this.capacity = capacity;
    this.undelivered = undelivered;
  }
}

/**
 * Whether `value` is a Sluice error, optionally of one code.
 *
 * @example
 * ```ts
 * if (isSluiceError(error, 'ASK_TIMEOUT')) retry();
 * ```
 */
export function isSluiceError(value: unknown, code?: SluiceErrorCode): value is SluiceError {
  return value instanceof SluiceError && (code === undefined || value.code === code);
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'function') return 'function';
  if (typeof value === 'bigint') return `${value}n`;
  if (value === null || typeof value !== 'object') return String(value);
  try {
    return JSON.stringify(value);
  } catch {
    return Object.prototype.toString.call(value);
  }
}
