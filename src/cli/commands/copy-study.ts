import { HpsearchError } from '../../errors.js';
import { openStorage } from '../../storage/open.js';
import type { Storage, TrialDetail } from '../../storage/storage.js';
import { findStudy } from '../../study/find.js';
import { openExistingStorage } from '../options.js';
import { shownLocation, storageLocation } from '../storage-option.js';

/** `hpsearch copy`: the study and every trial, unfinished ones as queued, and the models it keeps. */
export async function copyCommand(name: string, options: { from?: string; to: string; as?: string }): Promise<void> {
  const from = storageLocation({ ...(options.from !== undefined ? { storage: options.from } : {}) });
  if (from === options.to) throw new HpsearchError('E_USAGE', '--from and --to name the same storage; copy with --as NEW-NAME into a study of another name, or pick another --to');
  const source = await openExistingStorage(from);
  try {
    const record = await findStudy(source, name);
    const target = await openStorage(options.to);
    try {
      const copied = await copyStudy(source, target, record.name, options.as ?? record.name);
      process.stderr.write(
        `hpsearch: copied study "${record.name}" (${copied} trials) from ${shownLocation(source.location)} to ${shownLocation(target.location)}` +
          (options.as ? ` as "${options.as}"` : '') +
          '\n',
      );
    } finally {
      await target.close();
    }
  } finally {
    await source.close();
  }
}

/** Copies study `name` of `source` into `target` as `as`; resolves to the number of trials. */
export async function copyStudy(source: Storage, target: Storage, name: string, as: string): Promise<number> {
  const record = await findStudy(source, name);
  const created = await target.createStudy({
    name: as,
    direction: record.direction,
    metric: record.metric,
    seed: record.seed,
    space: record.space,
    spaceFile: record.spaceFile,
    createdAt: record.createdAt,
  });
  const trials = await source.listTrials(record.id);
  for (const trial of trials) {
    const detail = await source.getTrial(record.id, trial.number);
    if (detail) await target.importTrial(created.id, asCopied(detail));
  }
  // Kept models go along (one read at a time: each may be megabytes), so the copy exports as the original does.
  for (const info of await source.listTrialModels(record.id)) {
    const model = await source.getTrialModel(record.id, info.number);
    if (model) await target.importTrialModel(created.id, info.number, model, info.savedAt);
  }
  return trials.length;
}

/** An unfinished trial is copied as released: queued, no owner or clock, no partial curve. */
function asCopied(trial: TrialDetail): TrialDetail {
  if (trial.state !== 'queued' && trial.state !== 'running') return trial;
  return {
    ...trial,
    state: 'queued',
    owner: null,
    startedAt: null,
    endedAt: null,
    samplerState: {},
    steps: [],
    params: trial.sampleIndex === null ? trial.params : {},
  };
}
