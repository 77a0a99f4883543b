/**
 * Runs simulate on in-memory traces with the memory model configured.
 */
import { simulate, type SimulationOutcome } from '../../src/run/simulate.js';
import type { EngineConfig } from '../../src/engine/config.js';
import type { MemoryConfig } from '../../src/memory/config.js';
import type { TranslationConfig } from '../../src/translation/config.js';
import { DEFAULT_READ_OPTIONS } from '../../src/trace/reader.js';
import type { TraceFormat } from '../../src/trace/source.js';
import { config, textSource } from '../helpers.js';

export function memory(over: Partial<MemoryConfig> = {}): MemoryConfig {
  return { dedup: 'ideal', ksmPages: 100, ksmInterval: 20000, hugeOrder: 0, hostPageSize: 4096, compaction: false, ...over };
}

export async function runText(
  text: string,
  engine: Partial<EngineConfig>,
  mem: MemoryConfig | undefined,
  format: TraceFormat = 'csv',
  translation?: TranslationConfig,
): Promise<SimulationOutcome> {
  return simulate({
    sources: [textSource(text, format, 'vm')],
    read: { ...DEFAULT_READ_OPTIONS, hex: true },
    config: config({ pageSize: 4096, frames: 64, ...engine, ...(mem ? { memory: mem } : {}) }),
    translation,
  });
}

/** A csv trace with a vm column: rows [vm, op, page, content?] (page numbers of 4 KiB pages). */
export function csv(rows: [string, string, number, string?][]): string {
  return 'vm,op,addr,content\n' + rows.map(([vm, op, page, content]) => `${vm},${op},0x${(page * 4096).toString(16)},${content ?? ''}`).join('\n') + '\n';
}
