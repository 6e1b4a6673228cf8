/**
 * What `dashboard()` takes: the jobs to watch and how to serve them. Checked once, when the handler
 * is made, so a mistake shows at startup with the option's name rather than as a broken page later.
 */
import { InvalidOptionError } from '../errors.js';
import type { PipelineHandle } from '../streams/pipeline-handle.js';

/**
 * The jobs a dashboard watches: one handle, a fixed list, or a function asked at every sample for
 * the current ones (a service that restarts its pipelines hands over the new handles this way).
 */
export type DashboardHandles = PipelineHandle | readonly PipelineHandle[] | (() => Iterable<PipelineHandle>);

/** Options of `dashboard()`. */
export interface DashboardOptions {
  /**
   * Where the handler is mounted: the page is at `path/`, the feed at `path/feed`, the latest
   * sample at `path/snapshot.json`. Requests outside it are left to the host.
   * @defaultValue '/dashboard'
   */
  path?: string | undefined;
  /** Milliseconds between samples (and feed messages). At least 100. @defaultValue 1000 */
  intervalMs?: number | undefined;
  /**
   * When set, every request for the page or its data must carry it, as `Authorization: Bearer
   * <token>` or `?token=<token>`; others get 401. Set one whenever the server is reachable from
   * other hosts than this one: the page shows records (dead letters) and the job's shape.
   */
  token?: string | undefined;
  /** The page's heading. @defaultValue 'Sluice dashboard' */
  title?: string | undefined;
}

/** Options after their defaults, checked. */
export interface CheckedDashboardOptions {
  /** The mount path without a trailing slash: '' when mounted at the root. */
  readonly prefix: string;
  readonly intervalMs: number;
  readonly token: string | undefined;
  readonly title: string;
}

/** The least interval: sampling walks every actor of every job, and the page redraws per sample. */
export const MIN_INTERVAL_MS = 100;

/** One or more path segments of URL path characters; no empty, `.` or `..` segment, no query. */
const MOUNT_PATH = /^(?:\/(?!\.\.?(?:\/|$))[A-Za-z0-9._~!$&'()*+,;=:@%-]+)*\/?$/;

/** Visible ASCII, no spaces: what fits in a Bearer header and a query parameter unchanged. */
const TOKEN = /^[\x21-\x7e]+$/;

/**
 * Checks `options` and fills in the defaults.
 * @throws InvalidOptionError naming the option that is wrong.
 */
export function checkDashboardOptions(options: unknown): CheckedDashboardOptions {
  if (options === undefined) options = {};
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new InvalidOptionError('options', 'an object', options);
  }
  const { path, intervalMs, token, title } = options as DashboardOptions;
  if (path !== undefined && (typeof path !== 'string' || !MOUNT_PATH.test(path) || path === '')) {
    throw new InvalidOptionError('path', "a URL path starting with '/', such as '/dashboard'", path);
  }
  if (intervalMs !== undefined && (typeof intervalMs !== 'number' || !Number.isFinite(intervalMs) || intervalMs < MIN_INTERVAL_MS)) {
    throw new InvalidOptionError('intervalMs', `a number of milliseconds of at least ${MIN_INTERVAL_MS}`, intervalMs);
  }
  if (token !== undefined && (typeof token !== 'string' || !TOKEN.test(token))) {
    throw new InvalidOptionError('token', 'a non-empty string of visible ASCII characters without spaces', token);
  }
  if (title !== undefined && typeof title !== 'string') throw new InvalidOptionError('title', 'a string', title);
  return {
    prefix: (path ?? '/dashboard').replace(/\/+$/, ''),
    intervalMs: intervalMs ?? 1000,
    token,
    title: title ?? 'Sluice dashboard',
  };
}

/**
 * Checks what `dashboard()` watches and turns it into one function that lists the current handles.
 * @throws InvalidOptionError naming `handles`.
 */
export function handleSource(handles: unknown): () => Iterable<PipelineHandle> {
  const expected = 'a PipelineHandle (what run() returns), an array of them, or a function returning them';
  if (typeof handles === 'function') return handles as () => Iterable<PipelineHandle>;
  const list = Array.isArray(handles) ? [...(handles as unknown[])] : [handles];
  for (const handle of list) if (!isHandle(handle)) throw new InvalidOptionError('handles', expected, handles);
  const fixed = list as PipelineHandle[];
  return () => fixed;
}

/** Whether `value` has what the dashboard reads of a handle. */
export function isHandle(value: unknown): value is PipelineHandle {
  if (typeof value !== 'object' || value === null) return false;
  const handle = value as Partial<Record<keyof PipelineHandle, unknown>>;
  return (
    typeof handle.metrics === 'function' &&
    typeof handle.deadLetters === 'function' &&
    typeof (handle.events as { subscribe?: unknown } | undefined)?.subscribe === 'function'
  );
}
