"""Optuna's per-trial overhead: the reference that `npm run bench -- engine-overhead` measures
hpsearch's engine overhead against, on the same machine in the same run.

The study has the shape of bench/cases/engine-overhead.ts's: a log-uniform learning rate in
[1e-6, 1e-2], a log-uniform weight decay in [1e-8, 1e-4] and a categorical optimizer of
{sgd, adam}; the objective suggests the three and returns 0, so what a trial costs is Optuna's
own bookkeeping. One process, one thread (n_jobs=1): Optuna's in-process parallelism is
threads under the GIL, so this is the figure to hold hpsearch's 1-worker row against.

For each sampler (RandomSampler, TPESampler, both seeded) and storage (in-memory; SQLite in a
temporary file, created before the clock starts, as hpsearch's study is), a short warm-up
study first (imports, SQLAlchemy's first statements), then --repeats studies of --trials
trials; each sample is the optimize() call's wall time divided by the trials. Optuna's per-trial
INFO log lines are turned off (hpsearch writes none either).

Prints one JSON object on stdout: {"optuna", "python", "configs": [{sampler, storage, trials,
unit, samples, median}]}.

Usage: python3 optuna_overhead.py [--trials 2000] [--tpe-trials 300] [--repeats 3] [--only random-sqlite,...]
"""

import argparse
import json
import os
import statistics
import sys
import tempfile
import time

try:
    import optuna
except ImportError as error:
    sys.exit(f"optuna is not installed for {sys.executable} ({error}): apt-get install -y python3-optuna")

WARMUP_TRIALS = 20
SAMPLERS = {
    "random": lambda seed: optuna.samplers.RandomSampler(seed=seed),
    "tpe": lambda seed: optuna.samplers.TPESampler(seed=seed),
}
STORAGES = ("memory", "sqlite")


def objective(trial):
    trial.suggest_float("lr", 1e-6, 1e-2, log=True)
    trial.suggest_float("weight_decay", 1e-8, 1e-4, log=True)
    trial.suggest_categorical("optimizer", ["sgd", "adam"])
    return 0.0


def ms_per_trial(sampler, storage, trials, seed):
    # Optuna 3.1 has no public way to close an RDBStorage; on Linux the folder goes regardless.
    with tempfile.TemporaryDirectory(prefix="hpsearch-bench-optuna-", ignore_cleanup_errors=True) as folder:
        url = f"sqlite:///{os.path.join(folder, 'optuna.db')}" if storage == "sqlite" else None
        study = optuna.create_study(storage=url, sampler=SAMPLERS[sampler](seed), direction="maximize")
        started = time.perf_counter()
        study.optimize(objective, n_trials=trials, n_jobs=1)
        elapsed = time.perf_counter() - started
        if len(study.trials) != trials:
            raise RuntimeError(f"expected {trials} trials, the study has {len(study.trials)}")
        return 1000 * elapsed / trials


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=2000)
    parser.add_argument("--repeats", type=int, default=3)
    # A TPE trial's cost grows with the trials before it (~20 ms in memory at 2,000), and TPE on a
    # SQLite file reads the whole history back each trial: fewer of them keep the bench short.
    parser.add_argument("--tpe-trials", type=int, default=None, help="trials per TPE study (default: --trials)")
    parser.add_argument("--only", default="", help="comma-separated sampler-storage pairs, e.g. random-sqlite")
    args = parser.parse_args()
    optuna.logging.set_verbosity(optuna.logging.WARNING)

    wanted = [f"{s}-{st}" for s in SAMPLERS for st in STORAGES]
    if args.only:
        unknown = set(args.only.split(",")) - set(wanted)
        if unknown:
            sys.exit(f"--only: unknown pairs {sorted(unknown)}; choose from {wanted}")
        wanted = [w for w in wanted if w in args.only.split(",")]

    configs = []
    for pair in wanted:
        sampler, storage = pair.split("-")
        ms_per_trial(sampler, storage, WARMUP_TRIALS, seed=0)
        trials = args.tpe_trials if sampler == "tpe" and args.tpe_trials else args.trials
        samples = [ms_per_trial(sampler, storage, trials, seed=1 + r) for r in range(args.repeats)]
        configs.append({
            "sampler": sampler,
            "storage": storage,
            "trials": trials,
            "unit": "ms/trial",
            "samples": samples,
            "median": statistics.median(samples),
        })
        print(f"optuna {pair}: {statistics.median(samples):.2f} ms/trial", file=sys.stderr)
    json.dump({"optuna": optuna.__version__, "python": sys.version.split()[0], "configs": configs}, sys.stdout)
    print()


if __name__ == "__main__":
    main()
