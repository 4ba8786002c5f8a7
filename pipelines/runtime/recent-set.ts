/**
 * A set that remembers only its most recent `capacity` members, so that a
 * pipeline running for months can skip repeats without growing for ever.
 */
export class RecentSet<T> {
  private readonly members = new Set<T>();

  constructor(private readonly capacity: number) {}

  has(value: T): boolean {
    return this.members.has(value);
  }

  /** Adds `value`; false when it was already there. */
  add(value: T): boolean {
    if (this.members.has(value)) return false;
    this.members.add(value);
    if (this.members.size > this.capacity) this.members.delete(this.members.values().next().value as T);
    return true;
  }
}
