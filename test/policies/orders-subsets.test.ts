/**
 * `ordersSubsets` (src/policies/policy.ts): a policy that claims it names, for any subset of its
 * pages, the page an instance fed only that subset's events would name. Schedulers rely on it to
 * find a limited VM's own page without walking the shared order (src/schedulers/own-pages.ts).
 * Checked here on random access sequences with removals, three page owners and a random filter,
 * against instances that saw one owner's pages each.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { policies, POLICY_NAMES } from '../../src/policies/index.js';
import type { PolicyDefinition, ReplacementPolicy } from '../../src/policies/policy.js';
import { nextUseOf } from '../helpers.js';

const PAGES = 12;
const OWNERS = 3;
const ownerOf = (page: number): number => page % OWNERS;


const claimed = POLICY_NAMES.filter((name) => (policies[name] as PolicyDefinition).ordersSubsets === true);

describe('policies that order subsets as the whole', () => {
  it('are the ones whose order is a sort by per-page keys', () => {
    expect([...claimed].sort()).toEqual(['fifo', 'lfu', 'lru', 'opt']);
  });

  for (const name of claimed) {
    it(`${name}: the first page of one owner in the shared order is the first of that owner's own instance`, () => {
      fc.assert(
        fc.property(
          fc.array(fc.record({ page: fc.integer({ min: 0, max: PAGES - 1 }), drop: fc.boolean() }), { minLength: 1, maxLength: 120 }),
          fc.array(fc.boolean(), { minLength: PAGES, maxLength: PAGES }),
          (steps, acceptable) => {
            const context = { seed: 1, nextUse: nextUseOf(steps.map((s) => s.page)) };
            const make = (): ReplacementPolicy => {
              const p = policies[name].create(context);
              p.resize(PAGES);
              return p;
            };
            const shared = make();
            const own = Array.from({ length: OWNERS }, make);
            const resident = new Array<boolean>(PAGES).fill(false);
            const accept = (page: number): boolean => acceptable[page]!;
            steps.forEach(({ page, drop }, position) => {
              const o = ownerOf(page);
              if (resident[page]) {
                shared.hit(page, position);
                own[o]!.hit(page, position);
              } else {
                shared.insert(page, position);
                own[o]!.insert(page, position);
                resident[page] = true;
              }
              for (let g = 0; g < OWNERS; g++) {
                expect(shared.victim((p) => ownerOf(p) === g)).toBe(own[g]!.victim(null));
                expect(shared.victim((p) => ownerOf(p) === g && accept(p))).toBe(own[g]!.victim(accept));
              }
              // now and then the victim of the access's owner leaves, as an eviction would
              if (drop) {
                const victim = own[o]!.victim(null);
                if (victim >= 0) {
                  shared.remove(victim);
                  own[o]!.remove(victim);
                  resident[victim] = false;
                }
              }
            });
          },
        ),
        { numRuns: 200 },
      );
    });
  }
});
