/**
 * Every policy with createGroups (shared arrays over page ids, no object or arrays of its own per
 * group) against one independent instance of create() per group, fed the same operations: the
 * same victims (with and without a filter) and sizes, group by group.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { policies } from '../../src/policies/index.js';
import type { PolicyDefinition, ReplacementPolicy } from '../../src/policies/policy.js';

const all: PolicyDefinition[] = Object.values(policies);
const grouped = all.filter((d) => d.createGroups !== undefined);

type Op = { kind: 'touch' | 'remove' | 'victim' | 'filtered'; group: number; page: number };

describe('createGroups equals an instance per group', () => {
  it('lru, fifo and clock have it', () => {
    expect(grouped.map((d) => d.name).sort()).toEqual(['clock', 'fifo', 'lru']);
  });

  for (const definition of grouped) {
    it(`${definition.name}: insert, hit, remove, victim and filtered victim, over several groups`, () => {
      fc.assert(
        fc.property(
          fc.integer({ min: 1, max: 5 }),
          fc.integer({ min: 1, max: 50 }),
          fc.array(
            fc.record({
              kind: fc.constantFrom('touch', 'touch', 'touch', 'touch', 'remove', 'victim', 'filtered'),
              group: fc.nat(),
              page: fc.nat(),
            }),
            { maxLength: 400 },
          ) as fc.Arbitrary<Op[]>,
          (groups, pages, ops) => {
            const shared = definition.createGroups!({ seed: 1 });
            const own: ReplacementPolicy[] = [];
            for (let g = 0; g < groups; g++) {
              expect(shared.add()).toBe(g);
              own.push(definition.create({ seed: 1 }));
            }
            const resident = new Set<number>();
            let room = 0;
            let position = 0;
            for (const op of ops) {
              const page = op.page % pages;
              // a page belongs to one group
              const g = page % groups;
              if (op.kind === 'touch') {
                if (page >= room) {
                  room = page + 1 + (op.group % 5);
                  shared.resize(room);
                  for (const p of own) p.resize(room);
                }
                if (resident.has(page)) {
                  shared.hit(page, g, position, false);
                  own[g]!.hit(page, position, false);
                } else {
                  shared.insert(page, g, position, false);
                  own[g]!.insert(page, position, false);
                  resident.add(page);
                }
                position++;
              } else if (op.kind === 'remove') {
                if (resident.has(page)) {
                  shared.remove(page, g);
                  own[g]!.remove(page);
                  resident.delete(page);
                }
              } else {
                const h = op.group % groups;
                const accept = op.kind === 'filtered' ? (p: number): boolean => (p + op.page) % 3 !== 0 : null;
                expect(shared.victim(h, accept)).toBe(own[h]!.victim(accept));
              }
              for (let h = 0; h < groups; h++) expect(shared.size(h)).toBe(own[h]!.size);
            }
          },
        ),
        { numRuns: 300 },
      );
    });
  }
});
