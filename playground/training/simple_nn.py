"""The lesson's model: a three-layer perceptron, 784 -> 128 -> 64 -> 10 with ReLU for MNIST.

The input size comes from the data (64 for 8x8 digits) so one class serves every data set.
"""

import torch
from torch import nn


class SimpleNN(nn.Module):
    def __init__(self, input_size: int = 784, num_classes: int = 10):
        super().__init__()
        self.input_size = input_size
        self.fc1 = nn.Linear(input_size, 128)
        self.fc2 = nn.Linear(128, 64)
        self.fc3 = nn.Linear(64, num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = x.view(-1, self.input_size)  # images arrive flat or as (n, side, side)
        x = torch.relu(self.fc1(x))
        x = torch.relu(self.fc2(x))
        return self.fc3(x)
