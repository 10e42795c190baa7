/**
 * The buffers of `views` that they own whole, to move to the other thread rather than copy
 * (megabytes each); a view into a shared buffer (Node's pool of small buffers) is copied as usual.
 */
export function ownBuffers(views: readonly Uint8Array[]): ArrayBuffer[] {
  const buffers = new Set<ArrayBuffer>();
  for (const view of views) {
    if (view.byteOffset === 0 && view.byteLength === view.buffer.byteLength && view.byteLength > 0)
      buffers.add(view.buffer as ArrayBuffer);
  }
  return [...buffers];
}
