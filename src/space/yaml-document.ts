/**
 * The YAML (or JSON) text of a space file as a plain document, and the way back from an issue's
 * path to its line and column. Built for hostile input: no quadratic steps, no recursion on the
 * document's depth, and only JSON's values (no Map, Set, Date or bytes).
 */
import { isCollection, isMap, isNode, isPair, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node, type Pair, type Tags, type YAMLError, type YAMLMap } from 'yaml';
import { ValidationError, type ValidationIssue } from '../errors.js';
import type { PathSegment, RawIssue } from './raw-issue.js';

export interface SpaceDocument {
  /** The document as plain JSON values. */
  raw: unknown;
  /** The issues found in it, each with the line and column of the node it is about. */
  locate(issues: readonly RawIssue[]): ValidationIssue[];
}

/** Parses `text`; syntax errors, duplicate keys and keys that are not names throw one ValidationError. */
export function readSpaceDocument(text: string, file: string): SpaceDocument {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, {
    lineCounter,
    prettyErrors: true,
    // yaml's own duplicate-key check compares every key with every other (seconds for a file
    // of 20,000 keys); `keyIssues` does it with a set.
    uniqueKeys: false,
    // Values stay JSON's (the document is stored as JSON): no Map, Set, Date or bytes, which
    // would pass for mappings. Such tags are left unresolved: the value is read as untagged.
    resolveKnownTags: false,
    customTags: withoutNonJsonTags,
  });
  const syntax = [...doc.errors.map(syntaxIssue), ...keyIssues(doc, lineCounter)];
  if (syntax.length > 0) throw new ValidationError(file, syntax);
  let raw: unknown;
  try {
    raw = doc.toJS();
  } catch (error) {
    // e.g. an alias bomb: the parser accepts it, resolving it does not.
    throw new ValidationError(file, [{ path: '', message: readFailure((error as Error).message) }]);
  }
  return {
    raw,
    locate: (issues) => {
      const keyIndex: KeyIndex = new WeakMap();
      return issues.map((issue) => located(issue, doc, lineCounter, keyIndex));
    },
  };
}

// ---------------------------------------------------------------------------
// Reading the YAML

/** The YAML 1.1 tags whose values are not JSON's (a `%YAML 1.1` directive turns them on). */
const NON_JSON_TAGS = new Set(['binary', 'omap', 'pairs', 'set', 'timestamp'].map((name) => `tag:yaml.org,2002:${name}`));

function withoutNonJsonTags(tags: Tags): Tags {
  return tags.filter((tag) => typeof tag === 'string' || !NON_JSON_TAGS.has(tag.tag));
}

function syntaxIssue(error: YAMLError): ValidationIssue {
  // prettyErrors appends " at line L, column C:" and a source excerpt; the position has its own fields.
  const message = readFailure(error.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, ''));
  const pos = error.linePos?.[0];
  return pos ? { path: '', message, line: pos.line, column: pos.col } : { path: '', message };
}

/** The parser's message, except for a stack overflow, which says nothing a user can act on. */
function readFailure(message: string): string {
  return message === 'Maximum call stack size exceeded'
    ? 'the document is nested too deeply to read; a search space needs only a few levels of nesting'
    : message;
}

/**
 * Duplicate keys, and keys that are lists or mappings (JavaScript objects have only string
 * keys: `? [a, b]` would become the name "[ a, b ]"). Iterative, so deep nesting that the
 * parser accepted cannot overflow the stack here; aliases are not followed (their targets are
 * checked where they are defined).
 */
function keyIssues(doc: Document, lineCounter: LineCounter): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const report = (node: unknown, path: PathSegment[], message: string) => {
    const issue: ValidationIssue = { path: path.join('.'), message };
    if (isNode(node) && node.range) {
      const pos = lineCounter.linePos(node.range[0]);
      issue.line = pos.line;
      issue.column = pos.col;
    }
    issues.push(issue);
  };
  const pending: { node: unknown; path: PathSegment[] }[] = [{ node: doc.contents, path: [] }];
  while (pending.length > 0) {
    const { node, path } = pending.pop()!;
    if (isSeq(node)) {
      node.items.forEach((item, i) => pending.push({ node: item, path: [...path, i] }));
      continue;
    }
    // A pair in a flow sequence, `[a: 1]`, is a one-key mapping.
    const pairs = isMap(node) ? node.items : isPair(node) ? [node] : [];
    const seen = new Set<unknown>();
    for (const { key, value } of pairs) {
      if (isCollection(key)) {
        report(key, path, 'a key must be a name, not a list or a mapping; write it as a plain word or a quoted string');
        continue;
      }
      const name = isScalar(key) ? key.value : key;
      const keyPath = [...path, String(name)];
      if (seen.has(name)) report(key, keyPath, 'duplicate key: keys must be unique within a mapping; remove or rename one of them');
      seen.add(name);
      pending.push({ node: value, path: keyPath });
    }
  }
  return issues;
}

// ---------------------------------------------------------------------------
// Positions

/** An issue's path as the dotted text users see: `params.lr.low`. */
export function dotted(issue: RawIssue): string {
  return issue.path.join('.');
}

/**
 * Attaches the line and column of the node the issue is about. When that node does not
 * exist (a missing key) it points at the deepest key that does, e.g. `objective:`.
 */
function located(issue: RawIssue, doc: Document, lineCounter: LineCounter, keyIndex: KeyIndex): ValidationIssue {
  let node: unknown = doc.contents;
  let anchor: Node | undefined;
  let found = true;
  for (const segment of issue.path) {
    if (isMap(node)) {
      const pair = pairNamed(node, String(segment), keyIndex);
      if (pair === undefined) {
        found = false;
        break;
      }
      anchor = isNode(pair.key) ? pair.key : anchor;
      node = pair.value;
    } else if (isSeq(node) && typeof segment === 'number' && segment < node.items.length) {
      node = node.items[segment];
      anchor = isNode(node) ? node : anchor;
    } else {
      found = false;
      break;
    }
  }
  // A block mapping starts at its first child's key, so for collections the key reads better.
  const valueNode = found && isNode(node) && node.range ? node : undefined;
  const target = issue.atKey || isCollection(valueNode) ? (anchor ?? valueNode) : (valueNode ?? anchor);
  const result: ValidationIssue = { path: dotted(issue), message: issue.message };
  if (target?.range) {
    const pos = lineCounter.linePos(target.range[0]);
    result.line = pos.line;
    result.column = pos.col;
  }
  return result;
}

/** Per mapping, its pairs by key name, so locating many issues in a large mapping is not quadratic. */
type KeyIndex = WeakMap<YAMLMap, Map<string, Pair>>;

function pairNamed(map: YAMLMap, name: string, keyIndex: KeyIndex): Pair | undefined {
  let pairs = keyIndex.get(map);
  if (pairs === undefined) {
    pairs = new Map();
    for (const pair of map.items) {
      const key = String(isScalar(pair.key) ? pair.key.value : pair.key);
      if (!pairs.has(key)) pairs.set(key, pair);
    }
    keyIndex.set(map, pairs);
  }
  return pairs.get(name);
}
