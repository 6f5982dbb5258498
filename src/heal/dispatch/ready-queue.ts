/**
 * The jobs waiting for capacity, oldest first, one at a time per target: take() gives
 * the oldest job whose target is free. A job reached while its target is busy is
 * parked under the target and comes before newer jobs once the target is free.
 *
 * Every operation is O(1) amortised (but drop(), which looks at every job, for the
 * shutdown): a storm queues 100,000 jobs, and the array splice this replaces cost about
 * 0.5 ms a job. The jobs of one alert are dropped by group when it resolves, without a
 * scan: a resolved storm meets a full queue.
 */
class Fifo<T> {
  #items: T[] = [];
  #head = 0;

  get size(): number {
    return this.#items.length - this.#head;
  }

  push(item: T): void {
    this.#items.push(item);
  }

  shift(): T | undefined {
    if (this.#head === this.#items.length) return undefined;
    const item = this.#items[this.#head] as T;
    this.#head += 1;
    // Drop the consumed front now and then, so memory follows the queue's length.
    if (this.#head >= 1024 && this.#head * 2 >= this.#items.length) {
      this.#items = this.#items.slice(this.#head);
      this.#head = 0;
    }
    return item;
  }

  /** Removes the items `match` picks and returns them, in order. */
  remove(match: (item: T) => boolean): T[] {
    const removed: T[] = [];
    const kept: T[] = [];
    for (let index = this.#head; index < this.#items.length; index += 1) {
      const item = this.#items[index] as T;
      (match(item) ? removed : kept).push(item);
    }
    this.#items = kept;
    this.#head = 0;
    return removed;
  }
}

export class ReadyQueue<J extends { plan: { targetKey: string } }> {
  readonly #order = new Fifo<J>();
  /** Jobs reached while their target was busy, by target, oldest first. */
  readonly #parked = new Map<string, Fifo<J>>();
  /** Queued jobs by group (their alert), so that dropGroup() needs no scan. */
  readonly #groups = new Map<string, Set<J>>();
  /** Jobs dropped by group: still in a Fifo, passed over when reached. */
  readonly #gone = new WeakSet<J>();
  readonly #groupOf: (job: J) => string;

  constructor(groupOf: (job: J) => string) {
    this.#groupOf = groupOf;
  }

  add(job: J): void {
    this.#order.push(job);
    const group = this.#groupOf(job);
    const jobs = this.#groups.get(group);
    if (jobs) jobs.add(job);
    else this.#groups.set(group, new Set([job]));
  }

  /** The oldest job whose target `busy` says is free, taken out of the queue; undefined when none is. */
  take(busy: (target: string) => boolean): J | undefined {
    for (const [target, jobs] of this.#parked) {
      if (busy(target)) continue;
      const job = this.#next(jobs);
      if (jobs.size === 0) this.#parked.delete(target);
      if (job !== undefined) return this.#forget(job);
    }
    for (let job = this.#next(this.#order); job !== undefined; job = this.#next(this.#order)) {
      const target = job.plan.targetKey;
      const parked = this.#parked.get(target);
      if (parked === undefined && !busy(target)) return this.#forget(job);
      if (parked === undefined) this.#parked.set(target, new Fifo<J>());
      this.#parked.get(target)!.push(job);
    }
    return undefined;
  }

  /** Removes every job of `group` and returns them, oldest first: O(their number). */
  dropGroup(group: string): J[] {
    const jobs = this.#groups.get(group);
    if (jobs === undefined) return [];
    this.#groups.delete(group);
    for (const job of jobs) this.#gone.add(job);
    return [...jobs];
  }

  /** Removes the jobs `match` picks and returns them, parked ones first: O(every job). */
  drop(match: (job: J) => boolean): J[] {
    const picked = (job: J) => this.#gone.has(job) || match(job);
    const dropped: J[] = [];
    for (const [target, jobs] of this.#parked) {
      dropped.push(...jobs.remove(picked));
      if (jobs.size === 0) this.#parked.delete(target);
    }
    dropped.push(...this.#order.remove(picked));
    return dropped.filter((job) => !this.#gone.has(job)).map((job) => this.#forget(job));
  }

  /** The next job of `jobs` not dropped by group. */
  #next(jobs: Fifo<J>): J | undefined {
    let job = jobs.shift();
    while (job !== undefined && this.#gone.has(job)) job = jobs.shift();
    return job;
  }

  /** Takes a job leaving the queue out of its group. */
  #forget(job: J): J {
    const group = this.#groupOf(job);
    const jobs = this.#groups.get(group);
    jobs?.delete(job);
    if (jobs?.size === 0) this.#groups.delete(group);
    return job;
  }
}
