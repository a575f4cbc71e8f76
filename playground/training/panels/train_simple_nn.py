"""The lesson's SimpleNN, trained the way the page's job trains it: the same data split, seed and sampler order,
so it prints the held-out accuracy and the parameter sum the page shows after every epoch.

The data, the model and the training step are the project's own code, below. Under DDP, start one process per
worker with torchrun; run as plain `python`, it trains as a world of one and prints the same numbers.
"""

import os

import torch
import torch.distributed as dist
from torch import nn
from torch.nn.parallel import DistributedDataParallel as DDP
from torch.utils.data.distributed import DistributedSampler

from playground.training.data import load_digits, load_idx_folder
from playground.training.simple_nn import SimpleNN
from playground.training.train import epoch_batches, evaluate, param_checksum, train_step

# Which parts the page's settings switch on: the panel keeps only those.
ddp = True  # DistributedDataParallel: one process per worker
dataparallel = False  # nn.DataParallel: one process that splits each batch over the GPUs
idx_files = False  # MNIST-like IDX files in a folder, rather than scikit-learn's 8x8 digits
pins_threads = True

epochs = 1
batch_size = 64  # per worker: the global batch is workers x batch_size
lr = 0.001  # Adam's learning rate
max_steps = 0  # a cap on the steps per epoch on each rank; 0 = the whole epoch
seed = 0

if ddp:
    command = "torchrun --standalone --nproc_per_node=2 train_simple_nn.py"  # starts the page's workers
    distributed = "RANK" in os.environ  # set by torchrun
    if not distributed:
        print(f"One process, a world of one. To start the page's workers: {command}")
    rank, world = (int(os.environ["RANK"]), int(os.environ["WORLD_SIZE"])) if distributed else (0, 1)
    if distributed:
        dist.init_process_group("nccl" if torch.cuda.is_available() else "gloo")
else:
    rank, world = 0, 1
if pins_threads:
    threads = 1
    torch.set_num_threads(threads)  # one core per process: N workers use N cores
if idx_files:
    data_folder = "/path/to/mnist"
    data = load_idx_folder(data_folder)  # the t10k files are the held-out split
else:
    data = load_digits(seed=seed)  # 20% held out by a seeded shuffle

torch.manual_seed(seed)  # the same initial weights on every rank
model = SimpleNN(data.input_size, data.num_classes)
if ddp:
    if distributed:
        model = DDP(model)  # backward() now all-reduces the gradients
if dataparallel:
    model = nn.DataParallel(model)  # splits each batch over the GPUs; with fewer than 2 it just calls the model
optimizer = torch.optim.Adam(model.parameters(), lr=lr)
sampler = DistributedSampler(data.x_train, num_replicas=world, rank=rank, shuffle=True, seed=seed)
for epoch in range(epochs):
    for idx in epoch_batches(sampler, epoch, batch_size, max_steps):
        train_step(model, optimizer, data.x_train[idx], data.y_train[idx])
    accuracy = evaluate(model, data.x_test, data.y_test, torch.device("cpu"))
    _, param_sum = param_checksum(model)
    print(f"rank {rank} epoch {epoch}: held-out accuracy {accuracy:.4f}, parameter sum {param_sum:.6f}")
if ddp:
    if distributed:
        dist.barrier()
        dist.destroy_process_group()
