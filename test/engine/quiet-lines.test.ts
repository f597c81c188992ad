import { describe, expect, it } from 'vitest';
import { QuietLines } from '../../src/engine/quiet-lines.js';

function collect(quiet?: RegExp, keep?: number) {
  const out: string[] = [];
  return { out, lines: new QuietLines((text) => out.push(text), quiet, keep) };
}

describe('QuietLines', () => {
  it('passes lines on whole, however the chunks cut them, less the quiet ones', () => {
    const { out, lines } = collect(/^noise/);
    for (const chunk of ['one', ' line\nnoi', 'se here\n', 'two\nthree\n']) lines.write(chunk);
    expect(out).toEqual(['one line\n', 'two\n', 'three\n']);
  });

  it('matches a CRLF line without its CR, and passes a last line without a newline at the end', () => {
    const { out, lines } = collect(/^noise$/);
    lines.write('noise\r\nkept\r\nlast');
    expect(out).toEqual(['kept\r\n']);
    lines.end();
    expect(out).toEqual(['kept\r\n', 'last']);
    lines.end();
    expect(out).toHaveLength(2);
  });

  it('keeps the last lines, quiet ones and an unfinished one too, for a report of why the process died', () => {
    const { lines } = collect(/^noise/, 3);
    lines.write('a\nnoise b\nc\nd\ne');
    expect(lines.last).toEqual(['c', 'd', 'e']);
    lines.write('\n');
    expect(lines.last).toEqual(['c', 'd', 'e']);
    const { lines: none } = collect();
    expect(none.last).toEqual([]);
  });
});
