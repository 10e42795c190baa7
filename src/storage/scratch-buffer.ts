/** How long a thread keeps its scratch buffer once nothing uses it. */
const KEPT_IDLE_MS = 30_000;

/**
 * One buffer a thread reads whole files into, kept from one file to the next.
 * Memory the process has not touched yet costs a page fault per page: reading 24 MB into a new
 * buffer took 70-80 ms on the benchmark's machine, into one already used 2 ms, and hashing them
 * was 3 times faster too (docs/benchmarks.md). It holds up to the largest file
 * read (uploads are bounded by `CERTYNEO_MAX_DOCUMENT_BYTES`) and is let go after 30 s unused.
 * A second use while one runs gets a buffer of its own.
 */
export class ScratchBuffer {
  private buffer: Buffer | undefined;
  private busy = false;
  private release: NodeJS.Timeout | undefined;

  /**
   * `run` with the bytes `read` puts in the buffer it is given (`allocate`): they are valid only
   * until `run` settles, and must not be kept past it.
   */
  async use<T>(
    read: (allocate: (size: number) => Buffer) => Promise<Buffer>,
    run: (bytes: Buffer) => Promise<T>,
  ): Promise<T> {
    if (this.busy) return run(await read((size) => Buffer.allocUnsafe(size)));
    this.busy = true;
    clearTimeout(this.release);
    try {
      const bytes = await read((size) => {
        if (!this.buffer || this.buffer.length < size) {
          this.buffer = undefined;
          this.buffer = Buffer.allocUnsafeSlow(size);
        }
        return this.buffer.subarray(0, size);
      });
      return await run(bytes);
    } finally {
      this.busy = false;
      this.release = setTimeout(() => {
        this.buffer = undefined;
      }, KEPT_IDLE_MS);
      this.release.unref();
    }
  }

  /** The bytes held between uses. */
  get heldBytes(): number {
    return this.buffer?.length ?? 0;
  }
}
