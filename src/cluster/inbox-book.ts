/**
 * What a durable link's receiver decides about each frame it reads, as a pure function of the
 * frames read before it: so a receiver restarted elsewhere, reading the same stream again (less
 * the epochs purged since, which its checkpoint holds), decides the same, and a partition
 * replaying its input sees exactly what its predecessor took.
 *
 * Per sender it keeps the latest incarnation seen and how many of that incarnation's messages were
 * taken. A frame of an earlier incarnation than the latest seen is a zombie's (a sender that lost
 * its part and had not heard yet): ignored. A frame of a later one starts that incarnation's count
 * afresh, at the first message of it still in the stream. Within an incarnation, messages already taken (a frame published again after a lost
 * acknowledgement) are skipped, and a frame that would leave a gap is refused (it cannot happen
 * with one frame in flight per link; refusing it keeps the count honest if it ever did). Frames of
 * epochs before the one the receiver starts from are counted as taken but not delivered: the
 * checkpoint it starts from already holds them.
 */

/** What to do with a frame: deliver its messages from `skip` on (none when `skip` ≥ their count), or ignore it. */
export type FrameVerdict = { readonly kind: 'deliver'; readonly skip: number } | { readonly kind: 'ignore'; readonly why: 'zombie' | 'gap' | 'epoch' };

interface SenderPlace {
  incarnation: number;
  taken: number;
}

export class InboxBook {
  readonly #fromEpoch: number;
  readonly #senders = new Map<string, SenderPlace>();

  /** @param fromEpoch - the checkpoint the receiver starts from: earlier epochs' frames are not delivered. */
  constructor(fromEpoch: number) {
    this.#fromEpoch = fromEpoch;
  }

  /**
   * Decides about a frame of `count` messages, the first numbered `first` in incarnation
   * `incarnation` of sender `from`, sent in `epoch`; notes them as taken unless ignored.
   */
  read(from: string, epoch: number, incarnation: number, first: number, count: number): FrameVerdict {
    let place = this.#senders.get(from);
    if (place !== undefined && incarnation < place.incarnation) return { kind: 'ignore', why: 'zombie' };
    if (place === undefined || incarnation > place.incarnation) {
      // The first frame read of an incarnation: what it sent before was purged (a checkpoint
      // complete since holds it), so its count starts here.
      place = { incarnation, taken: first };
      this.#senders.set(from, place);
    }
    if (first > place.taken) return { kind: 'ignore', why: 'gap' };
    const skip = place.taken - first;
    place.taken = Math.max(place.taken, first + count);
    return epoch < this.#fromEpoch ? { kind: 'ignore', why: 'epoch' } : { kind: 'deliver', skip };
  }

  /** Where sender `from` stands: its latest incarnation and the messages of it taken, when it sent anything. */
  place(from: string): { readonly incarnation: number; readonly taken: number } | undefined {
    const place = this.#senders.get(from);
    return place === undefined ? undefined : { incarnation: place.incarnation, taken: place.taken };
  }
}
