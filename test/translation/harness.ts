/**
 * Step-by-step driving of the engine with a translation model attached: one operation at a
 * time, so tests can look at the TLB and both stages between steps.
 */
import { Engine, type EngineObserver } from '../../src/engine/engine.js';
import type { EngineConfig } from '../../src/engine/config.js';
import { PageBatch } from '../../src/pages/expand.js';
import { PageIds } from '../../src/pages/page-ids.js';
import { OP_FREE, OP_READ, OP_RESET, OP_WRITE } from '../../src/trace/rows.js';
import type { TranslationConfig } from '../../src/translation/config.js';
import { TranslationModel } from '../../src/translation/model.js';
import { config } from '../helpers.js';

export function translation(over: Partial<TranslationConfig> = {}): TranslationConfig {
  return {
    modes: ['nested'],
    tlbEntries: 64,
    tlbWays: 64,
    guestLevels: 4,
    hostLevels: 4,
    guestPageSize: 4096,
    hostPageSize: 4096,
    guestAlloc: 'seq',
    guestPhysicalPages: 1024,
    ...over,
  };
}

export type Step = [vm: number, op: 'R' | 'W' | 'F' | 'RESET', page: number];

/** The engine with a translation model attached (or `wrap`'s observer; null: none at all). */
export class Harness {
  readonly ids = new PageIds();
  readonly engine: Engine;
  readonly model: TranslationModel;
  private readonly batch = new PageBatch(1);

  constructor(engineOver: Partial<EngineConfig> = {}, translationOver: Partial<TranslationConfig> = {}, wrap?: (model: TranslationModel, engine: Engine) => EngineObserver | null) {
    this.engine = new Engine(config(engineOver), this.ids);
    this.model = new TranslationModel(translation(translationOver), this.engine);
    this.engine.observer = wrap ? wrap(this.model, this.engine) : this.model;
  }

  /** the page id of page `page` of VM `vm` */
  id(vm: number, page: number): number {
    return this.ids.id(vm, 0, page);
  }

  step(vm: number, op: Step[1], page = 0): void {
    this.engine.ensureVm(vm);
    const b = this.batch;
    b.length = 1;
    b.op[0] = op === 'R' ? OP_READ : op === 'W' ? OP_WRITE : op === 'F' ? OP_FREE : OP_RESET;
    b.page[0] = op === 'RESET' ? vm : this.id(vm, page);
    this.engine.replay(b);
  }

  run(steps: readonly Step[]): void {
    for (const [vm, op, page] of steps) this.step(vm, op, page);
  }

  /** the frame page `page` of VM `vm` is in, or -1 */
  frameOf(vm: number, page: number): number {
    const p = this.id(vm, page);
    return this.engine.frameOwner.indexOf(p);
  }
}
