import { describe, expect, it } from 'vitest';
import { renderTable } from '../../../src/cli/format/table.js';

describe('renderTable', () => {
  it('aligns columns left and right with two spaces and a rule', () => {
    const text = renderTable(
      [{ header: 'name' }, { header: 'value', align: 'right' }, { header: 'note' }],
      [
        ['lr', '0.01', 'log'],
        ['batch_size', '128', ''],
      ],
    );
    expect(text.split('\n')).toEqual([
      'name        value  note',
      '──────────  ─────  ────',
      'lr           0.01  log',
      'batch_size    128',
    ]);
  });

  it('leaves no trailing spaces and pads missing cells', () => {
    const text = renderTable([{ header: 'a' }, { header: 'b' }], [['x'], ['longer', 'y ']]);
    for (const line of text.split('\n')) expect(line).toBe(line.trimEnd());
    expect(text).toBe(['a       b', '──────  ──', 'x', 'longer  y'].join('\n'));
  });

  it('counts code points and flattens line breaks', () => {
    const text = renderTable([{ header: 'h' }, { header: 'z' }], [['é─', '1'], ['a\nb', '2']]);
    expect(text.split('\n')).toEqual(['h    z', '───  ─', 'é─   1', 'a b  2']);
  });

  it('renders a header alone when there are no rows', () => {
    expect(renderTable([{ header: 'rank', align: 'right' }, { header: 'x' }], [])).toBe(
      'rank  x\n────  ─',
    );
  });
});
