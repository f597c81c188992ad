export type CsvCell = string | number | null;

/**
 * RFC 4180 CSV: fields with a comma, a double quote, CR or LF are quoted, quotes doubled; null is
 * an empty field; numbers at full precision (String(x), so NaN and Infinity stay readable).
 * Every record, the last included, ends with CRLF so the text can be written out as is.
 */
export function toCsv(header: string[], rows: CsvCell[][]): string {
  return [header, ...rows].map((row) => row.map(field).join(',') + '\r\n').join('');
}

function field(cell: CsvCell): string {
  if (cell === null) return '';
  const text = String(cell);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
