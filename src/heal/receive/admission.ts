/**
 * How many notifications /heal judges at once (parses, plans and claims), and how many
 * bytes of bodies may wait for their turn. A notification's alerts become tens of
 * thousands of objects while it is judged, and its claimed jobs wait in the dispatcher's
 * queue: judged together, four 1,000-alert notifications shared each turn with the
 * queue's runs, the queue grew, and the garbage collector copied it, in pauses of up to
 * 180 ms and a heap of 340 MB (190 MB one at a time; `npm run bench:storm`). Waiting
 * bodies are the bytes they came in, which the collector does not copy. Beyond
 * `maxWaitingBytes` /heal answers 503 and Alertmanager delivers again later.
 */
export class Admission {
  readonly #concurrency: number;
  readonly #maxWaitingBytes: number;
  #active = 0;
  #waitingBytes = 0;
  readonly #waiting: Array<{ bytes: number; start: () => void }> = [];

  constructor(concurrency: number, maxWaitingBytes: number) {
    this.#concurrency = concurrency;
    this.#maxWaitingBytes = maxWaitingBytes;
  }

  /** Notifications waiting for their turn now, and their bytes. */
  get waiting(): { notifications: number; bytes: number } {
    return { notifications: this.#waiting.length, bytes: this.#waitingBytes };
  }

  /**
   * Resolves, in arrival order, once a notification of `bytes` may be judged, with the
   * function to call once it is; undefined (at once) when it may not even wait: more
   * than maxWaitingBytes would be waiting.
   */
  enter(bytes: number): Promise<() => void> | undefined {
    if (this.#active < this.#concurrency) {
      this.#active += 1;
      return Promise.resolve(this.#leave());
    }
    if (this.#waitingBytes + bytes > this.#maxWaitingBytes) return undefined;
    this.#waitingBytes += bytes;
    return new Promise((resolve) => {
      this.#waiting.push({ bytes, start: () => resolve(this.#leave()) });
    });
  }

  /** The end of one notification's turn: hands it to the next waiting one, at most once. */
  #leave(): () => void {
    let left = false;
    return () => {
      if (left) return;
      left = true;
      const next = this.#waiting.shift();
      if (next === undefined) {
        this.#active -= 1;
        return;
      }
      this.#waitingBytes -= next.bytes;
      next.start();
    };
  }
}
