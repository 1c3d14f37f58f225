# Expected values of torch-parity.test.ts and torch-parity-cifar.test.ts, from PyTorch (Debian
# python3-torch 1.13): /usr/bin/python3 torch_reference.py /tmp/names.json, where names.json comes
# from weight-names.ts. The MNIST part prints "logits", "mask_points", "mask_mean"; the CIFAR part
# "preact", "wrn", "mask_points", "mask_mean".
import sys
import torch, torch.nn as nn, torch.nn.functional as F, numpy as np, json
torch.set_grad_enabled(False)
def hash_uniform(n, j):
    i = np.arange(n, dtype=np.int64)
    return ((i * 2654435761 + j * 40503) % 4294967296).astype(np.float64) / 4294967296
def tfjs_values(shape, j, kernel):
    n = int(np.prod(shape)); i = np.arange(n, dtype=np.float64)
    v = hash_uniform(n, j) - 0.5
    v = v * np.sqrt(24 / np.prod(shape[:-1])) if kernel else 0.2 * v
    return v.astype(np.float32).reshape(shape)
def conv_w(shape, j):  # tfjs [kh,kw,in,out] -> torch [out,in,kh,kw]
    return torch.from_numpy(tfjs_values(shape, j, True).transpose(3, 2, 0, 1).copy())
def bias(n, j): return torch.from_numpy(tfjs_values([n], j, False))
x = hash_uniform(2 * 28 * 28, 1000).astype(np.float32).reshape(2, 28, 28, 1)
xt = torch.from_numpy(x.transpose(0, 3, 1, 2).copy())
# MNIST CNN
convs = [(1, 32, 1), (32, 32, 2), (32, 64, 1), (64, 64, 2)]
h = xt; j = 0
for cin, cout, s in convs:
    h = F.relu(F.conv2d(h, conv_w([3, 3, cin, cout], j), bias(cout, j + 1), stride=s, padding=1)); j += 2
assert h.shape == (2, 64, 7, 7)
# tfjs flattens (h, w, c): permute to NHWC before flattening so fc1's tfjs-layout kernel applies as is.
flat = h.permute(0, 2, 3, 1).reshape(2, -1)
w1 = torch.from_numpy(tfjs_values([3136, 100], j, True)); b1 = bias(100, j + 1); j += 2
h = F.relu(flat @ w1 + b1)
w2 = torch.from_numpy(tfjs_values([100, 10], j, True)); b2 = bias(10, j + 1)
logits = h @ w2 + b2
# MNIST mask
g = xt; j = 0
for cin, cout, s in [(1, 64, 2), (64, 128, 1), (128, 128, 1)]:
    g = F.leaky_relu(F.conv2d(g, conv_w([3, 3, cin, cout], j), bias(cout, j + 1), stride=s, padding=1), 0.2); j += 2
g = F.interpolate(g, size=(28, 28), mode='nearest')
g = torch.sigmoid(F.conv2d(g, conv_w([3, 3, 128, 1], j), bias(1, j + 1), padding=1))
pts = [(0, 0), (0, 27), (27, 0), (27, 27), (13, 14), (1, 2), (26, 5), (7, 7)]
print(json.dumps({'logits': [[round(float(v), 6) for v in r] for r in logits],
  'mask_points': [[round(float(g[n, 0, a, b]), 6) for (a, b) in pts] for n in range(2)],
  'mask_mean': round(float(g.mean()), 6)}, indent=1))

# ---- CIFAR networks ----
names = json.load(open(sys.argv[1]))
def pattern(name, shape, j):
    u = hash_uniform(int(np.prod(shape)), j)
    if len(shape) > 1: v = (u - 0.5) * np.sqrt(24 / np.prod(shape[:-1]))
    elif name.endswith('/gamma') or name.endswith('/moving_variance'): v = 0.5 + u
    else: v = 0.2 * (u - 0.5)
    return v.astype(np.float32).reshape(shape)
SUFFIX = {'kernel': 'weight', 'bias': 'bias', 'gamma': 'weight', 'beta': 'bias', 'moving_mean': 'running_mean', 'moving_variance': 'running_var'}
def load(model, key):
    sd = model.state_dict(); seen = set()
    for j, (name, shape) in enumerate(names[key]):
        layer, w = name.split('/')
        v = pattern(name, shape, j)
        if len(shape) == 4: v = v.transpose(3, 2, 0, 1)
        elif len(shape) == 2: v = v.T
        k = layer + '.' + SUFFIX[w]
        assert k in sd and tuple(sd[k].shape) == v.shape, (k, v.shape)
        sd[k] = torch.from_numpy(v.copy()); seen.add(k)
    missing = [k for k in sd if k not in seen and not k.endswith('num_batches_tracked')]
    assert not missing, missing
    model.load_state_dict(sd); model.eval()

class PreActBlock(nn.Module):
    def __init__(s, i, p, st=1):
        super().__init__(); s.bn1 = nn.BatchNorm2d(i); s.conv1 = nn.Conv2d(i, p, 3, st, 1, bias=False)
        s.bn2 = nn.BatchNorm2d(p); s.conv2 = nn.Conv2d(p, p, 3, 1, 1, bias=False)
        if st != 1 or i != p: s.shortcut = nn.Sequential(nn.Conv2d(i, p, 1, st, bias=False))
    def forward(s, x):
        out = F.relu(s.bn1(x)); sc = s.shortcut(out) if hasattr(s, 'shortcut') else x
        out = s.conv1(out); out = s.conv2(F.relu(s.bn2(out))); return out + sc
class PreAct(nn.Module):
    def __init__(s):
        super().__init__(); s.conv1 = nn.Conv2d(3, 64, 3, 1, 1, bias=False); ip = 64
        for li, (p, st) in enumerate([(64, 1), (128, 2), (256, 2), (512, 2)]):
            blocks = []
            for b in range(2): blocks.append(PreActBlock(ip, p, st if b == 0 else 1)); ip = p
            setattr(s, f'layer{li+1}', nn.Sequential(*blocks))
        s.bn = nn.BatchNorm2d(512); s.linear = nn.Linear(512, 10)
    def forward(s, x):
        out = s.layer4(s.layer3(s.layer2(s.layer1(s.conv1(x)))))
        out = F.avg_pool2d(F.relu(s.bn(out)), 4); return s.linear(out.view(out.size(0), -1))

class WBlock(nn.Module):
    def __init__(s, i, o, st):
        super().__init__(); s.bn1 = nn.BatchNorm2d(i); s.relu1 = nn.ReLU(); s.conv1 = nn.Conv2d(i, o, 3, st, 1, bias=False)
        s.bn2 = nn.BatchNorm2d(o); s.relu2 = nn.ReLU(); s.conv2 = nn.Conv2d(o, o, 3, 1, 1, bias=False)
        s.equalInOut = i == o; s.convShortcut = (not s.equalInOut) and nn.Conv2d(i, o, 1, st, 0, bias=False) or None
    def forward(s, x):
        if not s.equalInOut: x = s.relu1(s.bn1(x))
        else: out = s.relu1(s.bn1(x))
        out = s.relu2(s.bn2(s.conv1(out if s.equalInOut else x)))
        out = s.conv2(out)
        return torch.add(x if s.equalInOut else s.convShortcut(x), out)
class NetworkBlock(nn.Module):
    def __init__(s, n, i, o, st):
        super().__init__(); s.layer = nn.Sequential(*[WBlock(i if k == 0 else o, o, st if k == 0 else 1) for k in range(n)])
    def forward(s, x): return s.layer(x)
class WRN(nn.Module):
    def __init__(s, depth, k):
        super().__init__(); c = [16, 16 * k, 32 * k, 64 * k]; n = (depth - 4) // 6
        s.conv1 = nn.Conv2d(3, c[0], 3, 1, 1, bias=False)
        s.block1 = NetworkBlock(n, c[0], c[1], 1); s.block2 = NetworkBlock(n, c[1], c[2], 2); s.block3 = NetworkBlock(n, c[2], c[3], 2)
        s.bn1 = nn.BatchNorm2d(c[3]); s.relu = nn.ReLU(); s.fc = nn.Linear(c[3], 10); s.n = c[3]
    def forward(s, x):
        out = s.block3(s.block2(s.block1(s.conv1(x))))
        out = F.avg_pool2d(s.relu(s.bn1(out)), 8); return s.fc(out.view(-1, s.n))

class BasicBlock(nn.Module):
    def __init__(s, i, p, st=1):
        super().__init__(); s.conv1 = nn.Conv2d(i, p, 3, st, 1, bias=False); s.bn1 = nn.BatchNorm2d(p)
        s.conv2 = nn.Conv2d(p, p, 3, 1, 1, bias=False); s.bn2 = nn.BatchNorm2d(p); s.shortcut = nn.Sequential()
        if st != 1 or i != p: s.shortcut = nn.Sequential(nn.Conv2d(i, p, 1, st, bias=False), nn.BatchNorm2d(p))
    def forward(s, x):
        out = F.relu(s.bn1(s.conv1(x))); out = s.bn2(s.conv2(out)); return F.relu(out + s.shortcut(x))
class Mask(nn.Module):
    def __init__(s):
        super().__init__(); s.conv1 = nn.Conv2d(3, 64, 3, 1, 1, bias=False); s.bn1 = nn.BatchNorm2d(64); ip = 64
        for li, (p, st) in enumerate([(64, 1), (128, 2), (256, 2), (512, 2)]):
            blocks = []
            for b in range(2): blocks.append(BasicBlock(ip, p, st if b == 0 else 1)); ip = p
            setattr(s, f'layer{li+1}', nn.Sequential(*blocks))
        s.mask_conv = nn.Conv2d(512, 3, 3, 1, 1, bias=True)
    def forward(s, x):
        out = F.relu(s.bn1(s.conv1(x)))
        out = s.layer4(s.layer3(s.layer2(s.layer1(out))))
        assert out.shape[1:] == (512, 4, 4)
        return torch.sigmoid(s.mask_conv(F.interpolate(out, size=(32, 32), mode='nearest')))

mean = torch.tensor([0.4914, 0.4822, 0.4465]).view(1, 3, 1, 1); std = torch.tensor([0.2471, 0.2435, 0.2616]).view(1, 3, 1, 1)
x = torch.from_numpy(hash_uniform(2 * 32 * 32 * 3, 1000).astype(np.float32).reshape(2, 32, 32, 3).transpose(0, 3, 1, 2).copy())
pre = PreAct(); load(pre, 'preact'); wrn = WRN(16, 2); load(wrn, 'wrn'); mask = Mask(); load(mask, 'mask')
r6 = lambda t: [round(float(v), 5) for v in t]
m = mask(x[:1])
pts = [(0, 0, 0), (0, 31, 1), (31, 0, 2), (31, 31, 0), (15, 16, 1), (3, 29, 2), (8, 7, 0)]
print(json.dumps({'preact': r6(pre((x[:1] - mean) / std)[0]), 'wrn': [r6(r) for r in wrn((x - mean) / std)],
  'mask_points': [round(float(m[0, c, i, j]), 5) for (i, j, c) in pts], 'mask_mean': round(float(m.mean()), 5)}))
