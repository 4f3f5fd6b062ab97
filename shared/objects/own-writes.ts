/**
 * Memory of the object versions the guard itself wrote, to recognise the event its own copy causes.
 *
 * The first line of loop safety is the object's state: the copy leaves the object encrypted as required,
 * so the `ObjectCreated:CopyObject` (or `CompleteMultipartUpload`) event it causes finds it `encrypted` and
 * starts nothing. This memory is the second line, for when that is not so (the policy changed in between,
 * or a second guard with a different requirement watches the same bucket): a version the guard wrote is
 * never copied again, so two guards cannot copy an object back and forth forever. A version is named by
 * bucket, key, ETag and Last-Modified; marking the object itself (metadata, tags) is not an option,
 * because the copy must leave both unchanged. The memory lives as long as a Function Compute instance.
 */

export interface WrittenVersion {
  bucket: string;
  key: string;
  etag: string;
  lastModified?: string;
}

const unquote = (etag: string) => etag.replace(/^"|"$/g, '').toUpperCase();

/** A bounded set of written versions, oldest dropped first. */
export class OwnWrites {
  private readonly seen = new Map<string, string | undefined>();

  constructor(private readonly capacity = 1000) {}

  private id(v: { bucket: string; key: string; etag: string }): string {
    return `${v.bucket}\n${v.key}\n${unquote(v.etag)}`;
  }

  remember(v: WrittenVersion): void {
    const id = this.id(v);
    this.seen.delete(id);
    this.seen.set(id, v.lastModified);
    if (this.seen.size > this.capacity) {
      const oldest = this.seen.keys().next().value;
      if (oldest !== undefined) this.seen.delete(oldest);
    }
  }

  /**
   * Whether this version is one the guard wrote. The same ETag with another Last-Modified is a new upload
   * of the same bytes by someone else, so both must match when both are known.
   */
  wrote(v: WrittenVersion): boolean {
    const id = this.id(v);
    if (!this.seen.has(id)) return false;
    const known = this.seen.get(id);
    return known === undefined || v.lastModified === undefined || known === v.lastModified;
  }

  get size(): number {
    return this.seen.size;
  }
}
