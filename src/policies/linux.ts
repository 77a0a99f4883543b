import { PageList } from './list.js';
import { grown, type Accept, type PolicyContext, type PolicyDefinition, type ReplacementPolicy } from './policy.js';

/**
 * LINUX: the kernel's two LRU lists with refault-distance activation (Johannes Weiner's
 * mm/workingset.c, Linux 3.15). A new page enters the inactive list at its recent end; an access
 * to an inactive page activates it (to the active list's recent end); an access to an active page
 * moves it to that list's recent end. When a victim is needed, the active list is first shrunk
 * until it holds no more pages than the inactive list (its least recent page goes to the inactive
 * list's recent end), and then the victim is the inactive list's least recent page (then the
 * active list's, when `accept` refuses all the inactive ones).
 *
 * An evicted page leaves a shadow entry: the count of evictions at its eviction. When it faults
 * again (a refault: the engine says it was evicted since it was last freed), its refault distance
 * is the number of evictions since; a distance at most the active list's size means it would
 * have stayed had the inactive list been that much larger, and it enters the active list directly.
 * Shadows are kept for every evicted page until it is freed (Linux also drops them under memory
 * pressure); a freed page's shadow is void.
 */
class Linux implements ReplacementPolicy {
  /** head = least recent */
  private readonly inactive = new PageList();
  private readonly active = new PageList();
  private onActive = new Uint8Array(0);
  /** evictions counted at the page's eviction (0: none) */
  private shadow = new Float64Array(0);
  private evictions = 0;

  constructor(
    private readonly evicting: () => boolean,
    private readonly refault: (page: number) => boolean,
  ) {}

  get size(): number {
    return this.inactive.size + this.active.size;
  }

  resize(pages: number): void {
    // One link array serves both lists: a page is on one of them at a time.
    this.inactive.resize(pages);
    this.active.links = this.inactive.links;
    this.onActive = grown(this.onActive, pages);
    this.shadow = grown(this.shadow, pages);
  }

  insert(page: number): void {
    const shadow = this.shadow[page]!;
    this.shadow[page] = 0;
    if (shadow > 0 && this.refault(page) && this.evictions - shadow <= this.active.size) {
      this.onActive[page] = 1;
      this.active.pushBack(page);
    } else {
      this.onActive[page] = 0;
      this.inactive.pushBack(page);
    }
  }

  hit(page: number): void {
    if (this.onActive[page] === 1) this.active.moveToBack(page);
    else {
      this.inactive.unlink(page);
      this.onActive[page] = 1;
      this.active.pushBack(page);
    }
  }

  remove(page: number): void {
    if (this.onActive[page] === 1) this.active.unlink(page);
    else this.inactive.unlink(page);
    this.shadow[page] = this.evicting() ? ++this.evictions : 0;
  }

  victim(accept: Accept): number {
    while (this.active.size > this.inactive.size) {
      const p = this.active.head;
      this.active.unlink(p);
      this.onActive[p] = 0;
      this.inactive.pushBack(p);
    }
    const p = this.inactive.firstAccepted(accept);
    return p >= 0 ? p : this.active.firstAccepted(accept);
  }
}

export const linux = {
  name: 'linux',
  summary: 'active and inactive lists, kept equal; a second access activates; a refault within the active size activates',
  needsFuture: false,
  engineReads: ['evicting', 'refault'],
  create: (ctx: PolicyContext) => {
    if (!ctx.evicting || !ctx.refault) throw new Error('linux needs the engine (evicting, refault)');
    return new Linux(ctx.evicting, ctx.refault);
  },
} satisfies PolicyDefinition;
