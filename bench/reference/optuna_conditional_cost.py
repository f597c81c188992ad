"""Optuna's per-trial cost on a conditional space with 1,000 finished trials in memory: the
reference `npm run bench -- conditional` holds hpsearch's TPE draws against, on the same machine
in the same run.

The histories are hpsearch's own (--history FILE: {"conditional": [...], "flat": [...]}, each a
list of {params, value}), over the space of bench/cases/conditional-space.ts: lr log-uniform in
[1e-5, 1e-1], optimizer one of sgd, momentum, nesterov, adam, momentum in [0.5, 0.99] for momentum
and nesterov, beta1 in [0.8, 0.99] and beta2 in [0.9, 0.9999] for adam, layers an int in [1, 4],
units_3 an int in [16, 256] with 3 layers or more. A conditional trial holds only its active
params (and their distributions, as create_trial takes them); a flat one all seven.

For each config (the conditional and the flat space; TPESampler(seed=r) univariate, with
multivariate=True, group=True, and RandomSampler(seed=r) on the conditional space for the loop's
own cost), each repeat adds the 1,000 trials to a fresh in-memory study, then times --trials
more: study.ask(), the define-by-run suggest calls of the trial's branch (every param on the flat
space), study.tell() with the loss. Each sample is that wall time divided by the trials (the
history grows from 1,000 to 1,000 + trials over them). Optuna's log lines and its experimental
warnings (multivariate, group) are turned off.

Prints one JSON object on stdout: {"optuna", "python", "history", "configs": [{space, sampler,
trials, unit, samples, median, params}]}, params being the mean number asked per trial.

Usage: python3 optuna_conditional_cost.py --history histories.json [--trials 100] [--repeats 3]
"""

import argparse
import json
import math
import statistics
import sys
import time
import warnings

try:
    import optuna
except ImportError as error:
    sys.exit(f"optuna is not installed for {sys.executable} ({error}): apt-get install -y python3-optuna")

OPTIMIZERS = ["sgd", "momentum", "nesterov", "adam"]
OPTIMIZER_OFFSET = {"sgd": 0.4, "momentum": 0.15, "nesterov": 0.1, "adam": 0}
DISTRIBUTIONS = {
    "lr": optuna.distributions.FloatDistribution(1e-5, 1e-1, log=True),
    "optimizer": optuna.distributions.CategoricalDistribution(OPTIMIZERS),
    "momentum": optuna.distributions.FloatDistribution(0.5, 0.99),
    "beta1": optuna.distributions.FloatDistribution(0.8, 0.99),
    "beta2": optuna.distributions.FloatDistribution(0.9, 0.9999),
    "layers": optuna.distributions.IntDistribution(1, 4),
    "units_3": optuna.distributions.IntDistribution(16, 256),
}
SAMPLERS = {
    "univariate": lambda seed: optuna.samplers.TPESampler(seed=seed),
    "multivariate": lambda seed: optuna.samplers.TPESampler(seed=seed, multivariate=True, group=True),
    "random": lambda seed: optuna.samplers.RandomSampler(seed=seed),
}
CONFIGS = [
    ("conditional", "univariate"),
    ("conditional", "multivariate"),
    ("flat", "univariate"),
    ("flat", "multivariate"),
    ("conditional", "random"),
]


def loss(params):
    """conditionalLoss of conditional-space.ts, in the same order of operations."""
    optimizer = params["optimizer"]
    layers = params["layers"]
    value = ((math.log10(params["lr"]) + 3) / 2) ** 2 + OPTIMIZER_OFFSET[optimizer] + ((layers - 3) / 2) ** 2
    if optimizer in ("momentum", "nesterov"):
        value += ((params["momentum"] - 0.9) / 0.2) ** 2
    if optimizer == "adam":
        value += ((params["beta1"] - 0.9) / 0.1) ** 2 + ((params["beta2"] - 0.999) / 0.05) ** 2
    if layers >= 3:
        value += ((params["units_3"] - 128) / 128) ** 2
    return value


def suggest(trial, name):
    distribution = DISTRIBUTIONS[name]
    if isinstance(distribution, optuna.distributions.CategoricalDistribution):
        return trial.suggest_categorical(name, distribution.choices)
    if isinstance(distribution, optuna.distributions.IntDistribution):
        return trial.suggest_int(name, distribution.low, distribution.high)
    return trial.suggest_float(name, distribution.low, distribution.high, log=distribution.log)


def ask_conditional(trial):
    """The branch's params, parents first, as an objective would ask them."""
    params = {name: suggest(trial, name) for name in ("lr", "optimizer")}
    if params["optimizer"] in ("momentum", "nesterov"):
        params["momentum"] = suggest(trial, "momentum")
    if params["optimizer"] == "adam":
        params["beta1"] = suggest(trial, "beta1")
        params["beta2"] = suggest(trial, "beta2")
    params["layers"] = suggest(trial, "layers")
    if params["layers"] >= 3:
        params["units_3"] = suggest(trial, "units_3")
    return params


def ask_flat(trial):
    return {name: suggest(trial, name) for name in DISTRIBUTIONS}


ASK = {"conditional": ask_conditional, "flat": ask_flat}


def frozen_trials(history):
    return [
        optuna.trial.create_trial(
            params=trial["params"],
            distributions={name: DISTRIBUTIONS[name] for name in trial["params"]},
            value=trial["value"],
        )
        for trial in history
    ]


def active_names(params):
    """The params the conditions make active, among those given."""
    names = {"lr", "optimizer", "layers"}
    if params["optimizer"] in ("momentum", "nesterov"):
        names.add("momentum")
    if params["optimizer"] == "adam":
        names.update(("beta1", "beta2"))
    if params["layers"] >= 3:
        names.add("units_3")
    return names


def check_values(space, history):
    """The history's values are the bench's loss of the active params: the two copies agree."""
    for number, trial in enumerate(history):
        params = trial["params"]
        value = loss({name: params[name] for name in active_names(params)})
        if not math.isclose(value, trial["value"], rel_tol=1e-12, abs_tol=1e-12):
            raise RuntimeError(f"{space} trial {number}: the script's loss is {value!r}, the bench's {trial['value']!r}")


def time_config(trials, space, sampler, seed, count):
    study = optuna.create_study(direction="minimize", sampler=SAMPLERS[sampler](seed))
    study.add_trials(trials)
    if len(study.get_trials(deepcopy=False)) != len(trials):
        raise RuntimeError(f"the study holds {len(study.get_trials(deepcopy=False))} trials, expected {len(trials)}")
    ask = ASK[space]
    asked = 0
    started = time.perf_counter()
    for _ in range(count):
        trial = study.ask()
        params = ask(trial)
        study.tell(trial, loss(params))
        asked += len(params)
    elapsed = time.perf_counter() - started
    return 1000 * elapsed / count, asked / count


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--history", required=True, help='JSON file: {"conditional": [...], "flat": [...]}, each a list of {params, value}')
    parser.add_argument("--trials", type=int, default=100)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
    with open(args.history) as file:
        histories = json.load(file)
    lengths = {len(history) for history in histories.values()}
    if len(lengths) != 1:
        raise RuntimeError(f"the histories differ in length: {sorted(lengths)}")
    for space, history in histories.items():
        check_values(space, history)
    trials = {space: frozen_trials(history) for space, history in histories.items()}

    # Configs take turns within each repeat, so drift on the machine hits them all.
    samples = {config: [] for config in CONFIGS}
    asked = {config: [] for config in CONFIGS}
    for r in range(args.repeats):
        for space, sampler in CONFIGS:
            ms, params = time_config(trials[space], space, sampler, 1 + r, args.trials)
            samples[(space, sampler)].append(ms)
            asked[(space, sampler)].append(params)
        print(f"optuna: repeat {r + 1}/{args.repeats} done", file=sys.stderr)
    configs = []
    for space, sampler in CONFIGS:
        timed = samples[(space, sampler)]
        configs.append({
            "space": space,
            "sampler": sampler,
            "trials": args.trials,
            "unit": "ms/trial",
            "samples": timed,
            "median": statistics.median(timed),
            "params": statistics.mean(asked[(space, sampler)]),
        })
        print(f"optuna {sampler} on the {space} space at {len(histories[space])} trials: {statistics.median(timed):.2f} ms/trial", file=sys.stderr)
    json.dump({"optuna": optuna.__version__, "python": sys.version.split()[0], "history": lengths.pop(), "configs": configs}, sys.stdout)
    print()


if __name__ == "__main__":
    main()
