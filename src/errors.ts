/**
 * Every error hpsearch raises on purpose carries a stable `code` and a message
 * that tells the user what to do. The CLI maps them to exit codes:
 * usage and validation problems exit 2, everything else exits 1.
 */
export type ErrorCode =
  | 'E_USAGE'
  | 'E_VALIDATION'
  | 'E_STUDY_EXISTS'
  | 'E_STUDY_NOT_FOUND'
  | 'E_TRIAL_NOT_FOUND'
  | 'E_TRIAL_FINISHED'
  /** A write named a claim that is no longer the trial's: another run took the trial over. */
  | 'E_TRIAL_TAKEN_OVER'
  | 'E_STORAGE'
  | 'E_SCHEMA_VERSION'
  | 'E_OBJECTIVE'
  | 'E_WORKER'
  /** A bug in hpsearch or a plugin registered wrongly: report it. */
  | 'E_INTERNAL';

const USAGE_CODES: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'E_USAGE',
  'E_VALIDATION',
  'E_STUDY_EXISTS',
  'E_STUDY_NOT_FOUND',
  'E_TRIAL_NOT_FOUND',
]);

export class HpsearchError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'HpsearchError';
    this.code = code;
  }

  /** Exit code for the CLI: 2 for what the user must fix in their command or file, 1 otherwise. */
  get exitCode(): number {
    return USAGE_CODES.has(this.code) ? 2 : 1;
  }
}

/** One problem found in a search-space file. `path` is dotted, e.g. `params.lr.low`. */
export interface ValidationIssue {
  path: string;
  message: string;
  /** 1-based line and column in the file, when known. */
  line?: number;
  column?: number;
}

/** All problems of one file, reported at once. */
export class ValidationError extends HpsearchError {
  readonly file: string;
  readonly issues: readonly ValidationIssue[];
  constructor(file: string, issues: readonly ValidationIssue[]) {
    super('E_VALIDATION', formatIssues(file, issues));
    this.name = 'ValidationError';
    this.file = file;
    this.issues = issues;
  }
}

function formatIssues(file: string, issues: readonly ValidationIssue[]): string {
  const head = `${file}: ${issues.length} problem${issues.length === 1 ? '' : 's'} in the search space`;
  const lines = issues.map((issue) => {
    const where = issue.line !== undefined ? `${file}:${issue.line}${issue.column !== undefined ? `:${issue.column}` : ''} ` : '';
    return `  - ${where}${issue.path || '(root)'}: ${issue.message}`;
  });
  return [head, ...lines].join('\n');
}

export function isHpsearchError(error: unknown): error is HpsearchError {
  return error instanceof HpsearchError;
}
