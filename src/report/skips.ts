import type { SkipCounts } from '../trace/rows.js';

/** Notes for standard error on what the readers passed over (never silently dropped). */
export function skipNotes(skipped: readonly { file: string; counts: SkipCounts }[]): string[] {
  const notes: string[] = [];
  for (const s of skipped) {
    const { ifetch, other, bad } = s.counts;
    if (bad) notes.push(`${s.file}: skipped ${bad} bad line${bad === 1 ? '' : 's'} (--skip-bad-lines)`);
    if (ifetch) notes.push(`${s.file}: skipped ${ifetch} instruction fetch${ifetch === 1 ? '' : 'es'} (keep them with --ifetch)`);
    if (other) notes.push(`${s.file}: skipped ${other} line${other === 1 ? '' : 's'} that are not accesses`);
  }
  return notes;
}
