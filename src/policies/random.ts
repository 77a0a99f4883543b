import { mulberry32 } from '../rng.js';
import { grown, type Accept, type PolicyContext, type PolicyDefinition, type ReplacementPolicy } from './policy.js';

/**
 * RANDOM: a uniform choice among the candidates, from a seeded generator (mulberry32, --seed).
 * Resident pages sit in a dense array (swap-with-last removal) so that a draw is O(1).
 */
class RandomPolicy implements ReplacementPolicy {
  private members = new Int32Array(16);
  private index = new Int32Array(0);
  size = 0;
  private readonly random: () => number;

  constructor(seed: number) {
    this.random = mulberry32(seed);
  }
  resize(pages: number): void {
    this.index = grown(this.index, pages);
  }
  insert(page: number): void {
    if (this.size >= this.members.length) this.members = grown(this.members, this.size + 1);
    this.members[this.size] = page;
    this.index[page] = this.size++;
  }
  hit(): void {}
  remove(page: number): void {
    const i = this.index[page]!;
    const last = this.members[--this.size]!;
    this.members[i] = last;
    this.index[last] = i;
  }
  victim(accept: Accept): number {
    if (this.size === 0) return -1;
    if (accept === null) return this.members[Math.floor(this.random() * this.size)]!;
    let eligible = 0;
    for (let i = 0; i < this.size; i++) if (accept(this.members[i]!)) eligible++;
    if (eligible === 0) return -1;
    let k = Math.floor(this.random() * eligible);
    for (let i = 0; i < this.size; i++) {
      const p = this.members[i]!;
      if (accept(p) && k-- === 0) return p;
    }
    return -1;
  }
}

export const random = {
  name: 'random',
  summary: 'uniform random choice among the candidates, seeded by --seed (default 1)',
  needsFuture: false,
  engineFree: true,
  create: (ctx: PolicyContext) => new RandomPolicy(ctx.seed),
} satisfies PolicyDefinition;
