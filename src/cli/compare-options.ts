import type { BackendChoice } from '../task/types.js';
import type { StorageFlags } from './storage-option.js';

/** What `hpsearch compare` is given. */
export interface CompareOptions extends StorageFlags {
  pruners: string[];
  /** `--samplers`: absent, the file's own search only. */
  samplers?: string[];
  seeds: number;
  trials?: number;
  workers?: number;
  backend: BackendChoice;
  format: 'table' | 'json';
}

/** Where `hpsearch compare` writes when no --db is given: a new file per comparison. */
export const COMPARE_DB_DIR = 'runs/compare';
