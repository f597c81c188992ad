export interface Column {
  header: string;
  align?: 'left' | 'right';
}

const GAP = '  ';

/**
 * Plain aligned text: header, a rule of '─' under each column, then the rows; two spaces between
 * columns and no trailing spaces. Missing cells are empty. Line breaks and tabs inside a cell
 * become spaces, since one row must stay one line.
 */
export function renderTable(columns: Column[], rows: string[][]): string {
  const cells = rows.map((row) => columns.map((_, i) => clean(row[i] ?? '')));
  const widths = columns.map((c, i) =>
    Math.max(width(c.header), ...cells.map((row) => width(row[i] ?? ''))),
  );
  const line = (values: string[]): string =>
    values
      .map((v, i) => pad(v, widths[i] ?? 0, columns[i]?.align ?? 'left'))
      .join(GAP)
      .trimEnd();
  return [
    line(columns.map((c) => c.header)),
    widths.map((w) => '─'.repeat(w)).join(GAP),
    ...cells.map(line),
  ].join('\n');
}

function clean(cell: string): string {
  return cell.replace(/\r\n|[\r\n\t]/g, ' ');
}

// Code points, not UTF-16 units, so '─' or 'é' count as one column.
function width(s: string): number {
  return [...s].length;
}

function pad(s: string, w: number, align: 'left' | 'right'): string {
  const fill = ' '.repeat(Math.max(0, w - width(s)));
  return align === 'right' ? fill + s : s + fill;
}
