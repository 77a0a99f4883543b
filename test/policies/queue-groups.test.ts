/**
 * createGroups (shared-array groups, SharedGroups in policies/policy.ts) against the obvious model: one
 * plain list per group, an array of page ids kept in order by hand, oldest first.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fifo } from '../../src/policies/fifo.js';
import { lru } from '../../src/policies/lru.js';
import type { PolicyDefinition } from '../../src/policies/policy.js';

type Op = { kind: 'touch' | 'remove' | 'victim' | 'filtered'; group: number; page: number };

const opsArb = (groups: number, pages: number) =>
  fc.array(
    fc.record({
      kind: fc.constantFrom('touch', 'touch', 'touch', 'remove', 'victim', 'filtered'),
      group: fc.integer({ min: 0, max: groups - 1 }),
      page: fc.integer({ min: 0, max: pages - 1 }),
    }),
    { maxLength: 300 },
  ) as fc.Arbitrary<Op[]>;

const cases: [PolicyDefinition, boolean][] = [
  [lru, true],
  [fifo, false],
];
for (const [definition, moveOnHit] of cases) {
  describe(`${definition.name}.createGroups`, () => {
    it('each group orders its pages as a list of its own would (insert, hit, remove, victim, filtered victim)', () => {
      fc.assert(
        fc.property(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 40 }), fc.integer({ min: 0, max: 1000 }), (groups, pages, salt) => {
          fc.assert(
            fc.property(opsArb(groups, pages), (ops) => {
              const shared = definition.createGroups!({ seed: 1 });
              for (let g = 0; g < groups; g++) expect(shared.add()).toBe(g);
              expect(shared.length).toBe(groups);
              // a page belongs to one group: group = page % groups
              const model: number[][] = Array.from({ length: groups }, () => []);
              let room = 0;
              for (const op of ops) {
                const g = op.page % groups;
                const list = model[g]!;
                const at = list.indexOf(op.page);
                if (op.kind === 'touch') {
                  if (op.page >= room) {
                    room = op.page + 1 + (salt % 7);
                    shared.resize(room);
                  }
                  if (at < 0) {
                    shared.insert(op.page, g, 0, false);
                    list.push(op.page);
                  } else {
                    shared.hit(op.page, g, 0, false);
                    if (moveOnHit) list.push(...list.splice(at, 1));
                  }
                } else if (op.kind === 'remove') {
                  if (at >= 0) {
                    shared.remove(op.page, g);
                    list.splice(at, 1);
                  }
                } else if (op.kind === 'victim') {
                  const h = op.group;
                  expect(shared.victim(h, null)).toBe(model[h]!.length > 0 ? model[h]![0] : -1);
                } else {
                  const h = op.group;
                  const accept = (p: number): boolean => (p + salt) % 3 !== 0;
                  expect(shared.victim(h, accept)).toBe(model[h]!.find(accept) ?? -1);
                }
                for (let h = 0; h < groups; h++) expect(shared.size(h)).toBe(model[h]!.length);
              }
            }),
            { numRuns: 5 },
          );
        }),
        { numRuns: 40 },
      );
    });
  });
}
