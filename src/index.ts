// The public API of hpsearch: re-exports only.
export { createStudy, loadStudy } from './study/create.js';
export type { CreateStudyOptions, LoadStudyOptions, StorageOption } from './study/create.js';
export { Study } from './study/study.js';
export type { AskOptions } from './study/study.js';
export type { AskedTrial, TellResult } from './study/trial.js';
export type { Objective, ObjectiveReturn, TrialContext } from './study/objective.js';
export type { OptimizeOptions, OptimizeProgress, OptimizeSummary } from './engine/optimize.js';
export { TRIAL_STATES } from './study/states.js';
export type { TrialState } from './study/states.js';
export { loadSpaceFile } from './space/load.js';
export type * from './space/types.js';
export { createSampler } from './samplers/index.js';
export type { Sampler, SampleContext, Sample } from './samplers/sampler.js';
export { narrowParams } from './samplers/narrow-params.js';
export { openStorage, DEFAULT_DB_PATH } from './storage/open.js';
export type * from './storage/storage.js';
export { HpsearchError, ValidationError } from './errors.js';
export type { ErrorCode, ValidationIssue } from './errors.js';
