"""Optuna's samplers on the synthetic objectives of bench/cases/tpe-functions.ts: the reference
that `npm run bench -- tpe` holds hpsearch's TPE to, on the same machine in the same run.

The four functions (bowl, ripple, valley, cliff) are written here as in tpe-functions.ts, with
the same formulas and order of operations, over the same space: learning_rate log-uniform in
[1e-5, 1], weight_decay log-uniform in [1e-7, 1e-1], layers an int in [1, 10], optimizer one of
sgd, momentum, adam (suggested in that order). All are minimised. Before any study, the script
evaluates every function at the points the bench passes in (--check FILE, a JSON list), so the
bench can stop if the two definitions disagree.

Each function is searched with --trials trials for each seed in 1..--seeds by each sampler:
TPESampler(seed=s) with Optuna's defaults, TPESampler(seed=s, multivariate=True) and
RandomSampler(seed=s), in memory, one thread. Optuna's log lines and its experimental-feature
warning for multivariate are turned off.

Prints one JSON object on stdout: {"optuna", "python", "checks": {function: [values]},
"runs": [{function, sampler, seeds, best}]} with best[i] the lowest value seed seeds[i] found.

Usage: python3 tpe_synthetic.py --check points.json [--trials 60] [--seeds 10]
"""

import argparse
import json
import math
import statistics
import sys
import warnings

try:
    import optuna
except ImportError as error:
    sys.exit(f"optuna is not installed for {sys.executable} ({error}): apt-get install -y python3-optuna")

OPTIMIZERS = ("sgd", "momentum", "adam")
TAU = 2 * math.pi

RIPPLE_LR = {"sgd": -1.5, "momentum": -2.2, "adam": -3.3}
RIPPLE_OFFSET = {"sgd": 0.15, "momentum": 0.05, "adam": 0}
BOWL_OFFSET = {"sgd": 0.5, "momentum": 0.2, "adam": 0}
VALLEY_LAYERS = {"sgd": 3, "momentum": 5, "adam": 7}
VALLEY_OFFSET = {"sgd": 0.3, "momentum": 0.1, "adam": 0}
CLIFF_LR = {"sgd": -0.5, "momentum": -1.0, "adam": -1.8}


def bowl(learning_rate, weight_decay, layers, optimizer):
    a = math.log10(learning_rate)
    b = math.log10(weight_decay)
    return ((a + 2.5) / 2) ** 2 + ((b + 4) / 3) ** 2 + ((layers - 6) / 4) ** 2 + BOWL_OFFSET[optimizer]


def ripple(learning_rate, weight_decay, layers, optimizer):
    u = math.log10(learning_rate) - RIPPLE_LR[optimizer]
    v = math.log10(weight_decay) + 5
    return (
        (u / 2) ** 2
        + (v / 3) ** 2
        + 0.4 * (1 - math.cos(TAU * u))
        + 0.25 * (1 - math.cos(TAU * v))
        + ((layers - 4) / 3) ** 2
        + 0.15 * (layers % 2)
        + RIPPLE_OFFSET[optimizer]
    )


def valley(learning_rate, weight_decay, layers, optimizer):
    u = math.log10(learning_rate) + 2.5
    v = math.log10(weight_decay) + 4
    return ((u - v) / 2) ** 2 + ((u + v) / 4) ** 2 + ((layers - VALLEY_LAYERS[optimizer]) / 3) ** 2 + VALLEY_OFFSET[optimizer]


def cliff(learning_rate, weight_decay, layers, optimizer):
    a = math.log10(learning_rate)
    b = math.log10(weight_decay)
    if a > CLIFF_LR[optimizer]:
        return 0.9
    peak = math.exp(-(((a - CLIFF_LR[optimizer] + 0.7) / 1.2) ** 2) - ((b + 4.5) / 2.5) ** 2)
    return 1 - 0.88 * peak + 0.01 * (layers - 5) ** 2 + 0.03 * math.sin(5 * a) * math.cos(3 * b)


FUNCTIONS = {"bowl": bowl, "ripple": ripple, "valley": valley, "cliff": cliff}

SAMPLERS = {
    "tpe": lambda seed: optuna.samplers.TPESampler(seed=seed),
    "tpe-multivariate": lambda seed: optuna.samplers.TPESampler(seed=seed, multivariate=True),
    "random": lambda seed: optuna.samplers.RandomSampler(seed=seed),
}


def objective_of(function):
    def objective(trial):
        return function(
            trial.suggest_float("learning_rate", 1e-5, 1, log=True),
            trial.suggest_float("weight_decay", 1e-7, 1e-1, log=True),
            trial.suggest_int("layers", 1, 10),
            trial.suggest_categorical("optimizer", list(OPTIMIZERS)),
        )

    return objective


def best_of(function, sampler, seed, trials):
    study = optuna.create_study(sampler=SAMPLERS[sampler](seed), direction="minimize")
    study.optimize(objective_of(function), n_trials=trials, n_jobs=1)
    if len(study.trials) != trials:
        raise RuntimeError(f"expected {trials} trials, the study has {len(study.trials)}")
    return study.best_value


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", required=True, help="JSON file: a list of {learning_rate, weight_decay, layers, optimizer}")
    parser.add_argument("--trials", type=int, default=60)
    parser.add_argument("--seeds", type=int, default=10)
    args = parser.parse_args()
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    warnings.filterwarnings("ignore", category=optuna.exceptions.ExperimentalWarning)

    with open(args.check) as file:
        points = json.load(file)
    checks = {name: [function(**point) for point in points] for name, function in FUNCTIONS.items()}

    seeds = list(range(1, args.seeds + 1))
    runs = []
    for name, function in FUNCTIONS.items():
        for sampler in SAMPLERS:
            best = [best_of(function, sampler, seed, args.trials) for seed in seeds]
            runs.append({"function": name, "sampler": sampler, "seeds": seeds, "best": best})
            print(f"optuna {name} {sampler}: median best {statistics.median(best):.4g}", file=sys.stderr)
    json.dump({"optuna": optuna.__version__, "python": sys.version.split()[0], "checks": checks, "runs": runs}, sys.stdout)
    print()


if __name__ == "__main__":
    main()
