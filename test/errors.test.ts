import { describe, expect, it } from 'vitest';
import { formatTraceMessage, TraceError } from '../src/errors.js';

describe('bad-line messages (SPEC 3.3)', () => {
  it('read FILE:LINE: reason (text)', () => {
    expect(new TraceError('t.plain', 3, 'address is not a number', 'R zz').message).toBe('t.plain:3: address is not a number (R zz)');
    expect(formatTraceMessage('t.plain', 0, 'empty trace')).toBe('t.plain: empty trace');
  });

  it('cut a long line short and escape control characters', () => {
    const msg = formatTraceMessage('t.plain', 1, 'bad', `R ${'9'.repeat(200)}\x07`);
    expect(msg.length).toBeLessThan(120);
    expect(formatTraceMessage('t.plain', 1, 'bad', 'R \x1b[31m1')).toBe('t.plain:1: bad (R \\x1b[31m1)');
  });

  it('stay on one line when a quoted CSV field spans lines', () => {
    // Regression: the record's newline went into the message as is, splitting it over lines.
    expect(formatTraceMessage('t.csv', 4, "unknown op 'R\nR'", 'R\nR,0x2')).toBe("t.csv:4: unknown op 'R\\x0aR' (R\\x0aR,0x2)");
    // through the CLI: test/robustness/bad-input.test.ts
  });

  it('cut the excerpt after escaping: a line of random bytes stays short', () => {
    const msg = formatTraceMessage('t.plain', 1, 'bad', '\x00'.repeat(100));
    expect(msg).toBe(`t.plain:1: bad (${'\\x00'.repeat(20)}...)`);
    // never inside an escape
    expect(formatTraceMessage('t.plain', 1, 'bad', `ab${'\x01'.repeat(40)}`)).toBe(`t.plain:1: bad (ab${'\\x01'.repeat(19)}...)`);
  });
});
