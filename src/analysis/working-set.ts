/**
 * Denning's working set W(t, tau): the distinct pages referenced in the window (t - tau, t] of
 * the last tau accesses. Kept exactly, O(1) per access: a ring of the last tau pages, and for
 * each page the time of its last reference; a page leaves the window when the access that
 * leaves is its last one.
 */
export class WorkingSetWindow {
  private ring: Int32Array;
  /** accesses so far (the clock) */
  t = 0;
  /** |W(t, tau)| after the last access */
  size = 0;
  peak = 0;
  /** sum of `size` after every access, for the mean */
  sum = 0;

  constructor(readonly tau: number) {
    this.ring = new Int32Array(Math.min(tau, 1024));
  }

  /**
   * Records an access to page `p`. `last[p]` is p's last reference time on this window's clock
   * (-Infinity when never); the caller owns the array.
   */
  access(last: Float64Array, p: number): void {
    const t = this.t;
    const tau = this.tau;
    if (t >= tau) {
      const slot = t % tau;
      const leaving = this.ring[slot]!;
      if (last[leaving] === t - tau) this.size--;
      this.ring[slot] = p;
    } else {
      if (t >= this.ring.length) {
        const ring = new Int32Array(Math.min(tau, this.ring.length * 2));
        ring.set(this.ring);
        this.ring = ring;
      }
      this.ring[t] = p;
    }
    if (last[p]! <= t - tau) this.size++;
    last[p] = t;
    this.t = t + 1;
    if (this.size > this.peak) this.peak = this.size;
    this.sum += this.size;
  }

  get mean(): number {
    return this.t === 0 ? 0 : this.sum / this.t;
  }
}
