"""Optuna's per-trial cost with 1,000 finished trials in a SQLite study: the reference that
`npm run bench -- tpe` holds hpsearch's sampler cost against, on the same machine in the same run.

The history is hpsearch's own (--history FILE: a JSON list of {params, value}, the finished trials
of the study the bench times hpsearch on), over the space of bench/cases/tpe-functions.ts:
learning_rate log-uniform in [1e-5, 1], weight_decay log-uniform in [1e-7, 1e-1], layers an int in
[1, 10], optimizer one of sgd, momentum, adam. It is added once to a study in a SQLite file
(`sqlite:///...`, through Optuna's RDB storage); each repeat then works on a fresh copy of that
file, so every timed run starts from the same 1,000 trials.

For each sampler (TPESampler(seed=r) with Optuna's defaults, RandomSampler(seed=r)), each repeat
loads the study, reads its trials once before the clock starts (what a long-running Optuna process
has cached already, as hpsearch's process start is left out of its figure), then times
study.optimize() over --trials more trials of the bowl objective (tpe_synthetic.py's), one thread;
each sample is that wall time divided by the trials. Optuna's log lines are turned off.

Prints one JSON object on stdout: {"optuna", "python", "history", "configs": [{sampler, trials,
unit, samples, median}]}.

Usage: python3 optuna_tpe_cost.py --history history.json [--trials 100] [--repeats 3]
"""

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import time

try:
    import optuna
except ImportError as error:
    sys.exit(f"optuna is not installed for {sys.executable} ({error}): apt-get install -y python3-optuna")

from tpe_synthetic import OPTIMIZERS, bowl

STUDY = "cost"
SAMPLERS = {
    "tpe": lambda seed: optuna.samplers.TPESampler(seed=seed),
    "random": lambda seed: optuna.samplers.RandomSampler(seed=seed),
}
DISTRIBUTIONS = {
    "learning_rate": optuna.distributions.FloatDistribution(1e-5, 1, log=True),
    "weight_decay": optuna.distributions.FloatDistribution(1e-7, 1e-1, log=True),
    "layers": optuna.distributions.IntDistribution(1, 10),
    "optimizer": optuna.distributions.CategoricalDistribution(list(OPTIMIZERS)),
}


def objective(trial):
    return bowl(
        trial.suggest_float("learning_rate", 1e-5, 1, log=True),
        trial.suggest_float("weight_decay", 1e-7, 1e-1, log=True),
        trial.suggest_int("layers", 1, 10),
        trial.suggest_categorical("optimizer", list(OPTIMIZERS)),
    )


def url(path):
    return f"sqlite:///{path}"


def build_template(path, history):
    study = optuna.create_study(storage=url(path), study_name=STUDY, direction="minimize")
    study.add_trials(
        optuna.trial.create_trial(params=trial["params"], distributions=DISTRIBUTIONS, value=trial["value"])
        for trial in history
    )


def ms_per_trial(template, folder, sampler, seed, trials, history):
    path = os.path.join(folder, f"{sampler}-{seed}.db")
    shutil.copyfile(template, path)
    study = optuna.load_study(study_name=STUDY, storage=url(path), sampler=SAMPLERS[sampler](seed))
    if len(study.get_trials(deepcopy=False)) != history:
        raise RuntimeError(f"the copy holds {len(study.get_trials(deepcopy=False))} trials, expected {history}")
    started = time.perf_counter()
    study.optimize(objective, n_trials=trials, n_jobs=1)
    elapsed = time.perf_counter() - started
    if len(study.get_trials(deepcopy=False)) != history + trials:
        raise RuntimeError(f"expected {history + trials} trials after the run")
    return 1000 * elapsed / trials


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--history", required=True, help="JSON file: a list of {params, value}")
    parser.add_argument("--trials", type=int, default=100)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    with open(args.history) as file:
        history = json.load(file)

    # Optuna 3.1 has no public way to close an RDBStorage; on Linux the folder goes regardless.
    with tempfile.TemporaryDirectory(prefix="hpsearch-bench-optuna-", ignore_cleanup_errors=True) as folder:
        template = os.path.join(folder, "template.db")
        started = time.perf_counter()
        build_template(template, history)
        print(f"optuna: {len(history)} trials added in {time.perf_counter() - started:.1f} s", file=sys.stderr)
        configs = []
        for sampler in SAMPLERS:
            samples = [ms_per_trial(template, folder, sampler, 1 + r, args.trials, len(history)) for r in range(args.repeats)]
            configs.append({"sampler": sampler, "trials": args.trials, "unit": "ms/trial", "samples": samples, "median": statistics.median(samples)})
            print(f"optuna {sampler} at {len(history)} trials: {statistics.median(samples):.2f} ms/trial", file=sys.stderr)
    json.dump({"optuna": optuna.__version__, "python": sys.version.split()[0], "history": len(history), "configs": configs}, sys.stdout)
    print()


if __name__ == "__main__":
    main()
