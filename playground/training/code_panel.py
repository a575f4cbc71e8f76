""" "The code" for the Training page: a standalone PyTorch script generated from the page's own settings.

It trains exactly like playground/training/train.py (same split, same seed, same DistributedSampler order), so running it
prints the held-out accuracies and parameter sums the page shows; tests/unit/test_training_code.py checks that.
"""

from __future__ import annotations

from playground.training.train import TrainConfig

_LOAD_DIGITS = """from sklearn.datasets import load_digits

digits = load_digits()  # 1,797 8x8 images, pixels 0..16
x = torch.tensor(digits.data / 16.0, dtype=torch.float32)
y = torch.tensor(digits.target, dtype=torch.int64)
order = np.random.default_rng({seed}).permutation(len(x))  # keep 20% aside: the held-out split
n_train = len(x) - round(len(x) * 0.2)
x_train, y_train = x[order[:n_train]], y[order[:n_train]]
x_test, y_test = x[order[n_train:]], y[order[n_train:]]"""

_LOAD_IDX = """import gzip, os


def read_idx(path):  # big-endian header: 0, 0, type 0x08 (ubyte), ndim; then one uint32 per dimension
    raw = open(path, "rb").read()
    raw = gzip.decompress(raw) if raw[:2] == b"\\x1f\\x8b" else raw
    shape = np.frombuffer(raw, ">u4", raw[3], 4)
    return np.frombuffer(raw, np.uint8, offset=4 + 4 * raw[3]).reshape(shape)


def load(stem):
    path = os.path.join({folder!r}, stem)
    return read_idx(path if os.path.exists(path) else path + ".gz")


x_train = torch.tensor(load("train-images-idx3-ubyte").reshape(-1, {side2}) / 255.0, dtype=torch.float32)
y_train = torch.tensor(load("train-labels-idx1-ubyte"), dtype=torch.int64)
x_test = torch.tensor(load("t10k-images-idx3-ubyte").reshape(-1, {side2}) / 255.0, dtype=torch.float32)
y_test = torch.tensor(load("t10k-labels-idx1-ubyte"), dtype=torch.int64)  # the held-out split"""


def training_code(config: TrainConfig, data_folder: str = "", image_side: int = 28) -> str:
    """The script for `config`; `data_folder` is where the IDX files are for MNIST-like data sets."""
    ddp = config.strategy == "ddp"
    if config.dataset == "digits":
        load = _LOAD_DIGITS.format(seed=config.seed)
    else:
        load = _LOAD_IDX.format(folder=data_folder or config.data_dir, side2=image_side * image_side)
    if ddp:
        run_line = (
            f"# Run: torchrun --standalone --nproc_per_node={config.workers} train_simple_nn.py\n"
            f"# (python train_simple_nn.py runs it as one process)"
        )
    else:
        run_line = "# Run: python train_simple_nn.py"
    backend = '"nccl" if torch.cuda.is_available() else "gloo"'
    lines = [
        f"# {config.strategy.upper() if ddp else config.strategy}: SimpleNN on {config.dataset}, "
        f"batch {config.batch_size} per worker, Adam lr {config.lr}, {config.epochs} epoch(s), seed {config.seed}",
        run_line,
        "import os",
        "",
        "import numpy as np",
        "import torch",
        "import torch.nn.functional as F",
        "from torch import nn",
        "from torch.utils.data.distributed import DistributedSampler",
    ]
    if ddp:
        lines += ["import torch.distributed as dist", "from torch.nn.parallel import DistributedDataParallel as DDP"]
    lines += [
        "",
        load,
        "",
        "",
        "class SimpleNN(nn.Module):",
        "    def __init__(self, input_size, num_classes=10):",
        "        super().__init__()",
        "        self.input_size = input_size",
        "        self.fc1 = nn.Linear(input_size, 128)",
        "        self.fc2 = nn.Linear(128, 64)",
        "        self.fc3 = nn.Linear(64, num_classes)",
        "",
        "    def forward(self, x):",
        "        x = x.view(-1, self.input_size)",
        "        x = torch.relu(self.fc1(x))",
        "        x = torch.relu(self.fc2(x))",
        "        return self.fc3(x)",
        "",
        "",
    ]
    if ddp:
        lines += [
            'ddp = "RANK" in os.environ  # set by torchrun',
            'rank, world = (int(os.environ["RANK"]), int(os.environ["WORLD_SIZE"])) if ddp else (0, 1)',
            f"if ddp:\n    dist.init_process_group({backend})",
        ]
    else:
        lines += ["rank, world = 0, 1"]
    if config.threads:
        lines += [f"torch.set_num_threads({config.threads})  # one core per process: N workers use N cores"]
    lines += [
        f"torch.manual_seed({config.seed})  # the same initial weights on every rank",
        "model = SimpleNN(x_train.shape[1], int(max(y_train.max(), y_test.max())) + 1)",
    ]
    if ddp:
        lines += ["if ddp:", "    model = DDP(model)  # backward() now all-reduces the gradients"]
    elif config.strategy == "dataparallel":
        lines += [
            "model = nn.DataParallel(model)  # splits each batch over the GPUs; with < 2 GPUs it just calls model"
        ]
    lines += [
        f"optimizer = torch.optim.Adam(model.parameters(), lr={config.lr})",
        "# Each rank gets a disjoint, shuffled shard of the training set (padded so all ranks take equal steps).",
        f"sampler = DistributedSampler(x_train, num_replicas=world, rank=rank, shuffle=True, seed={config.seed})",
        f"for epoch in range({config.epochs}):",
        "    sampler.set_epoch(epoch)",
        "    order = torch.tensor(list(sampler))",
        f"    for batch_index, start in enumerate(range(0, len(order), {config.batch_size})):",
    ]
    if config.max_steps:
        lines += [f"        if batch_index >= {config.max_steps}:", "            break"]
    lines += [
        f"        idx = order[start:start + {config.batch_size}]",
        "        optimizer.zero_grad()",
        "        loss = F.cross_entropy(model(x_train[idx]), y_train[idx])",
        "        loss.backward()",
        "        optimizer.step()",
        "    with torch.no_grad():",
        "        accuracy = (model(x_test).argmax(1) == y_test).float().mean().item()",
        "    param_sum = sum(p.detach().double().sum().item() for p in model.parameters())",
        '    print(f"rank {rank} epoch {epoch}: held-out accuracy {accuracy:.4f}, parameter sum {param_sum:.6f}")',
    ]
    if ddp:
        lines += ["if ddp:", "    dist.barrier()", "    dist.destroy_process_group()"]
    return "\n".join(lines) + "\n"
