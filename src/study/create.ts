import { dirname } from 'node:path';
import { HpsearchError } from '../errors.js';
import { createSampler } from '../samplers/index.js';
import { validateSpaceDocument } from '../space/load.js';
import type { Direction, LoadedSpace, SearchSpace } from '../space/types.js';
import { DEFAULT_DB_PATH, openStorage } from '../storage/open.js';
import type { Storage, StudyRecord } from '../storage/storage.js';
import { findStudy } from './find.js';
import { Study } from './study.js';

/** Where a study lives: a database path / URL, or an open Storage (which the caller closes). */
export type StorageOption = string | Storage;

export interface CreateStudyOptions {
  name: string;
  storage?: StorageOption;
  direction: Direction;
  /** Name of the objective's value, e.g. `val_accuracy` (default `value`). */
  metric?: string;
  /** Study seed (default: a random one, stored with the study). */
  seed?: number;
  /** The search section of a space file (default `{ strategy: 'random', trials: 100 }`). */
  search?: Record<string, unknown>;
  /**
   * The params section of a space file. Left out, the objective asks for every param itself
   * (define-by-run: `ctx.suggestFloat` and the like); grid search needs it.
   */
  params?: Record<string, unknown>;
  /** The early_stopping section of a space file (snake_case keys; default: none). */
  early_stopping?: Record<string, unknown>;
  /** The divergence section of a space file, or false (the default for a study created in code: none). */
  divergence?: Record<string, unknown> | false;
  /** The pruner section of a space file, e.g. `{ type: 'median' }` (default `{ type: 'none' }`). */
  pruner?: Record<string, unknown>;
  /** The save_models section of a space file, e.g. `{ top: 3 }`: keep the best 3 trials' models (default: none). */
  save_models?: { top: number | 'all' };
  /** Return the existing study of that name instead of failing with E_STUDY_EXISTS. */
  loadIfExists?: boolean;
}

/**
 * Creates a study from the same document a space file holds, validated the same way.
 * `study.optimize(fn)` then runs a function objective on this thread, `study.optimize(path)` a
 * module objective in worker threads.
 */
export async function createStudy(options: CreateStudyOptions): Promise<Study> {
  const document: Record<string, unknown> = {
    study: options.name,
    ...(options.seed !== undefined ? { seed: options.seed } : {}),
    objective: { metric: options.metric ?? 'value', direction: options.direction },
    search: options.search ?? { strategy: 'random', trials: 100 },
    params: options.params,
    ...(options.early_stopping !== undefined ? { early_stopping: options.early_stopping } : {}),
    ...(options.divergence !== undefined ? { divergence: options.divergence } : {}),
    ...(options.pruner !== undefined ? { pruner: options.pruner } : {}),
    ...(options.save_models !== undefined ? { save_models: options.save_models } : {}),
  };
  const source = `createStudy(${JSON.stringify(options.name)})`;
  const space = validateSpaceDocument(document, source, process.cwd(), { requireObjective: false });
  document['seed'] = space.seed;
  const { storage, owns } = await resolveStorage(options.storage);
  try {
    return await createOrLoad(storage, owns, { space, raw: document, file: null }, options.loadIfExists ?? false);
  } catch (error) {
    if (owns) await storage.close();
    throw error;
  }
}

/** Creates (or with `resume`, continues) the study a space file describes. */
export async function openStudyFromSpace(
  storage: Storage,
  loaded: LoadedSpace,
  options: { resume: boolean },
): Promise<{ study: Study; resumed: boolean }> {
  const existing = await storage.getStudy(loaded.space.study);
  if (existing && !options.resume) {
    throw new HpsearchError(
      'E_STUDY_EXISTS',
      `study "${loaded.space.study}" already exists in ${storage.location}: pass --resume to continue it, or --study NEW_NAME to start another`,
    );
  }
  if (existing) return { study: studyFromRecord(storage, existing, false), resumed: true };
  try {
    const source = { space: loaded.space, raw: loaded.raw, file: loaded.file };
    return { study: await createOrLoad(storage, false, source, false), resumed: false };
  } catch (error) {
    // Another process created it between our look and our insert: with --resume, join it.
    if (!(options.resume && error instanceof HpsearchError && error.code === 'E_STUDY_EXISTS')) throw error;
    const created = await storage.getStudy(loaded.space.study);
    if (!created) throw error;
    return { study: studyFromRecord(storage, created, false), resumed: true };
  }
}

export interface LoadStudyOptions {
  name: string;
  storage?: StorageOption;
}

/** Opens an existing study; rejects with E_STUDY_NOT_FOUND (naming the studies there are). */
export async function loadStudy(options: LoadStudyOptions): Promise<Study> {
  const { storage, owns } = await resolveStorage(options.storage);
  try {
    return await loadStudyFrom(storage, options.name, owns);
  } catch (error) {
    if (owns) await storage.close();
    throw error;
  }
}

export async function loadStudyFrom(storage: Storage, name: string, ownsStorage = false): Promise<Study> {
  return studyFromRecord(storage, await findStudy(storage, name), ownsStorage);
}

/**
 * Rebuilds a study's space from the document stored with it (the objective module need not exist
 * any more; a study stored before hpsearch refused repeated choices, or optimizer settings that
 * some trials ignore, still opens).
 */
export function storedSpace(record: StudyRecord): SearchSpace {
  const baseDir = record.spaceFile ? dirname(record.spaceFile) : process.cwd();
  return validateSpaceDocument(record.space, `study "${record.name}" (stored space)`, baseDir, {
    requireObjective: false,
    checkFiles: false,
    stored: true,
  });
}

/**
 * The stored space for views that can do without it (leaderboard, trial, report): null when the
 * document no longer validates, e.g. one stored by another version. A missing objective-kind
 * registration (E_INTERNAL) is a bug to show, not a space to guess around, so it is rethrown.
 */
export function storedSpaceOrNull(record: StudyRecord): SearchSpace | null {
  try {
    return storedSpace(record);
  } catch (error) {
    if (error instanceof HpsearchError && error.code === 'E_INTERNAL') throw error;
    return null;
  }
}

function studyFromRecord(storage: Storage, record: StudyRecord, ownsStorage: boolean): Study {
  const space = storedSpace(record);
  return new Study(storage, record, space, createSampler(space), ownsStorage);
}

async function createOrLoad(
  storage: Storage,
  ownsStorage: boolean,
  source: { space: SearchSpace; raw: unknown; file: string | null },
  loadIfExists: boolean,
): Promise<Study> {
  const { space } = source;
  if (loadIfExists) {
    const existing = await storage.getStudy(space.study);
    if (existing) return studyFromRecord(storage, existing, ownsStorage);
  }
  // The file's enqueued trials are queued with the study, in one transaction: exactly once, by
  // whoever creates it, and before any other process can claim a trial of it.
  const record = await storage.createStudy({
    name: space.study,
    direction: space.objective.direction,
    metric: space.objective.metric,
    seed: space.seed,
    space: source.raw,
    spaceFile: source.file,
    enqueue: space.enqueue,
  });
  return new Study(storage, record, space, createSampler(space), ownsStorage);
}

async function resolveStorage(option: StorageOption | undefined): Promise<{ storage: Storage; owns: boolean }> {
  if (option === undefined || typeof option === 'string') {
    return { storage: await openStorage(option ?? DEFAULT_DB_PATH), owns: true };
  }
  return { storage: option, owns: false };
}
