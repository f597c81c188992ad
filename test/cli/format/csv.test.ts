import { describe, expect, it } from 'vitest';
import { toCsv } from '../../../src/cli/format/csv.js';

/** Minimal RFC 4180 reader, enough to check that the writer's output round-trips. */
function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      record.push(field);
      field = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      record.push(field);
      records.push(record);
      record = [];
      field = '';
      i++;
    } else field += c;
  }
  expect(quoted).toBe(false);
  expect(field).toBe('');
  return records;
}

describe('toCsv', () => {
  it('writes plain fields as they are, CRLF after every record', () => {
    expect(toCsv(['a', 'b'], [['x', 1.5], [null, -2]])).toBe('a,b\r\nx,1.5\r\n,-2\r\n');
  });

  it('quotes commas, quotes and line breaks, doubling quotes', () => {
    expect(toCsv(['v'], [['a,b'], ['say "hi"'], ['two\nlines'], ['cr\r'], [' pad ']])).toBe(
      'v\r\n"a,b"\r\n"say ""hi"""\r\n"two\nlines"\r\n"cr\r"\r\n pad \r\n',
    );
  });

  it('keeps full precision and non-finite numbers', () => {
    expect(toCsv(['x'], [[0.1 + 0.2], [Number.NaN], [-Infinity]])).toBe(
      'x\r\n0.30000000000000004\r\nNaN\r\n-Infinity\r\n',
    );
  });

  it('round-trips awkward text through a parser', () => {
    const rows = [
      ['plain', 'with,comma', '"quoted"', 'multi\r\nline', ''],
      ['', '""', ',', '\n', 'é,"x"\r'],
    ];
    const header = ['a', 'b,c', 'd"e', 'f', 'g'];
    expect(parseCsv(toCsv(header, rows))).toEqual([header, ...rows]);
  });
});
