#!/usr/bin/python3
"""BrainTS peer benchmark: spiking-network training on latency-coded Fashion-MNIST in PyTorch (CPU).

Same task, model and hyper-parameters as /work/shared/peers/torch_fmnist_snn.py (the BrainPy
paper's appendix benchmark). Every detail the TypeScript side must match:

DATA
  * /usr/share/datasets/fashion-mnist/{train,t10k}-{images-idx3,labels-idx1}-ubyte.gz
    (idx: 16-byte image header, 8-byte label header), pixels x = byte / 255 (float64).
  * --train-limit N keeps the FIRST N training samples; the test set is always all 10 000.
ENCODING (latency, one spike per pixel at most, T = 100 steps, step index 0..99)
  * tau = 20, thr = 0.2.  xc = clip(x, thr + 1e-7, 1e9);  t = tau * ln(xc / (xc - thr)).
  * if x < thr: no spike; else spike at step floor(t) if floor(t) < T, otherwise no spike.
    (x = 1 -> step 4; x just above thr -> step >= 100 -> silent. Note x == 51/255 == 0.2 is NOT
    < thr, but xc = 0.2000001 gives t ~ 290, so it is silent too; first spiking byte is 52.)
  * the spike input at step s is a dense 0/1 vector of 784.
NETWORK  784 -> 100 LIF -> 10 leaky (non-spiking) readout, no biases, float32
  * alpha = 0.9 (synaptic current decay), beta = 0.85 (membrane decay), threshold 1.0.
  * per step t (state starts at 0):
        I1  = alpha*I1 + x_t @ W1                      (current synapse)
        s   = H(V1 - 1.0)                              (spike from the membrane BEFORE this update)
        V1  = (beta*V1 + I1) * (1 - s)                 (reset to 0; the reset factor is detached)
        I2  = alpha*I2 + s @ W2
        V2  = beta*V2 + I2
  * logits = max over the 100 steps of V2 (element-wise, per class); its gradient flows to a
    single step, the FIRST maximal one, even when several steps tie (torch.max(dim) semantics;
    splitting it between ties changes the result; ties are common while V2 is still 0).
  * surrogate gradient (atan): dH/du := 1 / (1 + (pi*u)^2), u = V1 - 1.
TRAINING
  * loss = mean cross-entropy(logits, label); no spike-count or weight regulariser.
  * Adam, lr 1e-3 (--lr), betas (0.9, 0.999), eps 1e-8, no weight decay.
  * batch 256; each epoch a fresh numpy permutation of the training set; the last partial
    batch is dropped (floor(N/256) batches per epoch).
  * init: W1 ~ N(0,1) * gain/sqrt(784), W2 ~ N(0,1) * gain/sqrt(100), gain 1.05 (--init-gain).
  * seeds: torch.manual_seed(0), np.random.seed(0) (--seed changes both).
EVALUATION
  * test accuracy = argmax(logits) == label over the 10 000 test images, batches of 1000,
    no gradient. Evaluation time is excluded from the epoch times.
Timing: an epoch's time covers encoding of its batches, forward, backward and Adam steps.
Prints one JSON line:
  {"model":"fmnist","epochs":..,"threads":..,"torch_epoch_s":<median s/epoch>,
   "torch_test_acc":..,"train_samples":..} plus a few extra fields (per-sample time, epoch list).
"""
import argparse
import gzip
import json
import math
import statistics
import sys
import time

import numpy as np
import torch

DATA_DIR = '/usr/share/datasets/fashion-mnist/'
STEPS, BATCH, HIDDEN, CLASSES, INPUTS = 100, 256, 100, 10, 784
ALPHA, BETA, V_TH = 0.9, 0.85, 1.0
ENC_TAU, ENC_THR = 20.0, 0.2


def load_idx(name, header, shape):
    with gzip.open(DATA_DIR + name, 'rb') as fh:
        raw = fh.read()
    return np.frombuffer(raw, dtype=np.uint8, offset=header).reshape(shape)


def latency_steps(pixels):
    """Spike step (0..STEPS-1) per pixel, or STEPS meaning 'no spike'."""
    clipped = np.clip(pixels, ENC_THR + 1e-7, 1e9)
    t = ENC_TAU * np.log(clipped / (clipped - ENC_THR))
    steps = t.astype(np.int64)              # truncation == floor for t > 0
    steps[pixels < ENC_THR] = STEPS
    return np.minimum(steps, STEPS)


def spike_raster(steps):
    """(n, 784) step indices -> dense float32 tensor (STEPS, n, 784)."""
    n = steps.shape[0]
    raster = torch.zeros(STEPS, n, INPUTS)
    rows, cols = np.nonzero(steps < STEPS)
    raster[torch.from_numpy(steps[rows, cols]), torch.from_numpy(rows), torch.from_numpy(cols)] = 1.0
    return raster


class AtanSpike(torch.autograd.Function):
    """Heaviside forward, 1/(1+(pi u)^2) backward."""

    @staticmethod
    def forward(ctx, u):
        ctx.save_for_backward(u)
        return (u > 0).to(u.dtype)

    @staticmethod
    def backward(ctx, grad_out):
        (u,) = ctx.saved_tensors
        return grad_out / (1.0 + (math.pi * u) ** 2)


def forward(raster, w1, w2):
    n = raster.shape[1]
    drive = (raster.reshape(STEPS * n, INPUTS) @ w1).reshape(STEPS, n, HIDDEN)
    i1 = torch.zeros(n, HIDDEN)
    v1 = torch.zeros(n, HIDDEN)
    i2 = torch.zeros(n, CLASSES)
    v2 = torch.zeros(n, CLASSES)
    trace = []
    for t in range(STEPS):
        i1 = ALPHA * i1 + drive[t]
        s = AtanSpike.apply(v1 - V_TH)
        v1 = (BETA * v1 + i1) * (1.0 - s.detach())
        i2 = ALPHA * i2 + s @ w2
        v2 = BETA * v2 + i2
        trace.append(v2)
    # max(dim) (not amax): on ties the gradient goes to ONE step (the first maximal step,
    # which torch CPU returns), as in the reference; amax would split it between tied steps.
    # This matters: ties are common early (V2 == 0 until the first hidden spike arrives).
    return torch.stack(trace).max(dim=0).values


def accuracy(steps, labels, w1, w2):
    hits = 0
    with torch.no_grad():
        for lo in range(0, len(labels), 1000):
            logits = forward(spike_raster(steps[lo:lo + 1000]), w1, w2)
            hits += int((logits.argmax(dim=1).numpy() == labels[lo:lo + 1000]).sum())
    return hits / len(labels)


def main():
    ap = argparse.ArgumentParser(description='PyTorch spiking-network Fashion-MNIST peer benchmark')
    ap.add_argument('--epochs', type=int, default=1)
    ap.add_argument('--threads', type=int, default=2)
    ap.add_argument('--train-limit', type=int, default=60000)
    ap.add_argument('--lr', type=float, default=1e-3)
    ap.add_argument('--init-gain', type=float, default=1.05)
    ap.add_argument('--seed', type=int, default=0)
    ap.add_argument('--eval-each', action='store_true',
                    help='print test accuracy to stderr after every epoch (not timed)')
    args = ap.parse_args()

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    np.random.seed(args.seed)

    x_train = load_idx('train-images-idx3-ubyte.gz', 16, (-1, INPUTS))[:args.train_limit] / 255.0
    y_train = load_idx('train-labels-idx1-ubyte.gz', 8, (-1,))[:args.train_limit].astype(np.int64)
    x_test = load_idx('t10k-images-idx3-ubyte.gz', 16, (-1, INPUTS)) / 255.0
    y_test = load_idx('t10k-labels-idx1-ubyte.gz', 8, (-1,)).astype(np.int64)
    test_steps = latency_steps(x_test)

    w1 = torch.nn.Parameter(torch.randn(INPUTS, HIDDEN) * (args.init_gain / math.sqrt(INPUTS)))
    w2 = torch.nn.Parameter(torch.randn(HIDDEN, CLASSES) * (args.init_gain / math.sqrt(HIDDEN)))
    opt = torch.optim.Adam([w1, w2], lr=args.lr)

    n = len(y_train)
    epoch_s = []
    for ep in range(args.epochs):
        t0 = time.perf_counter()
        order = np.random.permutation(n)
        loss_sum, batches = 0.0, 0
        for lo in range(0, n - BATCH + 1, BATCH):
            idx = order[lo:lo + BATCH]
            logits = forward(spike_raster(latency_steps(x_train[idx])), w1, w2)
            loss = torch.nn.functional.cross_entropy(logits, torch.from_numpy(y_train[idx]))
            opt.zero_grad()
            loss.backward()
            opt.step()
            loss_sum += loss.item()
            batches += 1
        epoch_s.append(time.perf_counter() - t0)
        msg = f'epoch {ep + 1}: {epoch_s[-1]:.2f} s, mean loss {loss_sum / max(batches, 1):.4f}'
        if args.eval_each:
            msg += f', test acc {accuracy(test_steps, y_test, w1, w2):.4f}'
        print(msg, file=sys.stderr, flush=True)

    acc = accuracy(test_steps, y_test, w1, w2)
    med = statistics.median(epoch_s) if epoch_s else None
    trained = (n // BATCH) * BATCH
    print(json.dumps({
        'model': 'fmnist', 'epochs': args.epochs, 'threads': args.threads,
        'torch_epoch_s': None if med is None else round(med, 4),
        'torch_test_acc': round(acc, 4), 'train_samples': n,
        'samples_per_epoch': trained,
        'torch_sample_ms': None if med is None or trained == 0 else round(1000 * med / trained, 5),
        'epoch_s': [round(s, 4) for s in epoch_s],
        'lr': args.lr, 'init_gain': args.init_gain, 'seed': args.seed,
    }), flush=True)


if __name__ == '__main__':
    main()
