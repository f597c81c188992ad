/**
 * `//` and `/* *\/` comments in a `.json` space file. The YAML parser that reads JSON files too
 * would take them for text (`// lr` becomes part of a key), and the user would get an "unknown
 * key" about a line they meant as a note: this finds them first, so the message says what it is.
 */
import path from 'node:path';
import type { ValidationIssue } from '../errors.js';

/** Whether a space file is read as JSON: by its name, as editors do. */
export function isJsonFile(file: string): boolean {
  return path.extname(file).toLowerCase() === '.json';
}

/** The issue of the first comment of a JSON text, or undefined when it has none. */
export function jsonCommentIssue(text: string): ValidationIssue | undefined {
  const at = firstComment(text);
  if (at === undefined) return undefined;
  return { path: '', message: `JSON does not allow comments (line ${at.line}); remove them or write the file as YAML`, ...at };
}

/**
 * Where the first comment starts (1-based line and column). Text inside strings is not a comment
 * ("http://..."); nor is `//` right after text outside strings (an unquoted `http://...`, which
 * the YAML reading accepts): a comment starts a line or follows a space, a comma or a bracket.
 */
function firstComment(text: string): { line: number; column: number } | undefined {
  // Valid JSON has no comments: the usual file is done in one native pass.
  try {
    JSON.parse(text);
    return undefined;
  } catch {
    /* invalid JSON: look for comments */
  }
  let line = 1;
  let lineStart = 0;
  /** The quote of the string being read; single quotes too, which the YAML reading accepts. */
  let quote: string | null = null;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '\n') {
      line++;
      lineStart = i + 1;
      // An unterminated string ends at the line for this purpose: JSON strings cannot span lines.
      quote = null;
      continue;
    }
    if (quote !== null) {
      if (c === '\\' && quote === '"' && text[i + 1] !== '\n') i++;
      else if (c === quote) quote = null;
      continue;
    }
    if (c === '"' || c === "'") {
      quote = c;
      continue;
    }
    if (c === '/' && (text[i + 1] === '/' || text[i + 1] === '*') && (i === lineStart || /[\s,{}[\]]/.test(text[i - 1]!))) {
      return { line, column: i - lineStart + 1 };
    }
  }
  return undefined;
}
