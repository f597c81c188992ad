// The public API of hpsearch: re-exports only.
export { createStudy, loadStudy } from './study/create.js';
export type { CreateStudyOptions, LoadStudyOptions, StorageOption } from './study/create.js';
export { Study, isTakenOver, processOwner } from './study/study.js';
export type { AskOptions } from './study/study.js';
export type { AskedTrial, TellResult } from './study/trial.js';
export type { Objective, ObjectiveReturn, SuggestNumberOptions, TrialContext } from './study/objective.js';
// The distributions an objective asks for params with (define-by-run), as `study.suggest` takes them.
export type { AskedSpec } from './space/asked-spec.js';
// Loading the engine registers the run loop behind study.optimize().
export { optimizeStudy } from './engine/optimize.js';
export type { ObjectiveSource, OptimizeOptions, OptimizeProgress, OptimizeSummary, TrialEndEvent } from './engine/optimize.js';
// Loading the built-in kinds registers them: space files can name module and task.
export { BUILTIN_OBJECTIVE_KINDS } from './objectives/builtin.js';
export { registerObjectiveKind } from './space/objective-kind.js';
export type { KindPacking, ObjectiveKind, ObjectiveSources, SettleContext, WorkerJob, WorkerProcessSetup } from './space/objective-kind.js';
export type { ReportMember, ReportStep, SuggestParam, TrialOutcome, TrialRunnerModule } from './objectives/trial-run.js';
export type { TaskObjective } from './task/kind.js';
export { createPruner } from './pruners/index.js';
export { defaultPrunerSpec } from './space/pruner-spec.js';
export type { Pruner, PruneContext, PruneDecision, PeerValue } from './pruners/pruner.js';
export type { PrunerSpec, PrunerType } from './space/pruner-spec.js';
export { runComparison, compareStudyName } from './compare/compare.js';
export type { CompareOptions, ComparisonResult, RunStart } from './compare/compare.js';
export { resolveSamplers, resolveStrategies } from './compare/strategies.js';
export type { InterchangeableStrategy } from './space/search-document.js';
export type { CompareStrategy } from './compare/strategies.js';
export { summarizeComparison } from './compare/summary.js';
export type { CompareRun, ComparisonSummary, StrategySummary, SeedResult, TrialEndRecord } from './compare/summary.js';
export type { EarlyStoppingSpec, DivergenceSpec } from './space/stopping-spec.js';
export { writeReport, startReportServer } from './report/index.js';
export type { WriteReportOptions, WrittenReport } from './report/write.js';
export type { ReportServer, ServeOptions } from './report/serve.js';
export type { ReportData } from './report/data.js';
export { TRIAL_STATES } from './trial-state.js';
export type { TrialState } from './trial-state.js';
export { loadSpaceFile } from './space/load.js';
// The check `study.enqueue` makes of a trial's params, for checking them before opening a study.
export { enqueuedParams } from './space/enqueue.js';
export type * from './space/types.js';
export { createSampler, samplerStateLabel } from './samplers/index.js';
export type { Sampler, SampleContext, Sample, SamplerState, SamplerStateLabel, SuggestContext, PastTrial, JsonValue } from './samplers/sampler.js';
// A trial's narrowing round, from its sampler state (TrialRecord has no `round` of its own since schema 4).
export { narrowingRound } from './samplers/narrowing.js';
export { narrowParams } from './samplers/narrow-params.js';
export { openStorage, DEFAULT_DB_PATH } from './storage/open.js';
export type * from './storage/storage.js';
// Trained models kept as trials' results (run --save-models), and `hpsearch export`.
export type { ModelArtifact, ModelInput } from './storage/model-artifact.js';
export { exportModel } from './study/export-model.js';
export type { ExportModelOptions, ExportedModel, ModelProvenance } from './study/export-model.js';
export { HpsearchError, ValidationError } from './errors.js';
export type { ErrorCode, ValidationIssue } from './errors.js';
