/**
 * The msgpackr options everything Sluice encodes shares (snapshot files, the journal's msgpack
 * codec, checkpoints in memory, links between threads): records keep plain objects and Maps apart,
 * and Dates, Sets, bigints and typed arrays survive. One place, so what a checkpoint keeps and what
 * crosses a thread never drift apart.
 */
export const MSGPACK_OPTIONS = { moreTypes: true } as const;
