"""What the playground runs on, shown on the home page so a teacher knows what to expect from the hardware."""

import os
import platform
from dataclasses import dataclass

import torch
import transformers


@dataclass(frozen=True)
class RuntimeInfo:
    cuda_available: bool
    gpu_count: int
    gpu_names: tuple[str, ...]
    cpu_count: int
    torch_version: str
    transformers_version: str
    python_version: str

    @property
    def device_summary(self) -> str:
        if not self.cuda_available:
            return "CPU only (no CUDA GPU visible)"
        names = ", ".join(self.gpu_names)
        return f"CUDA with {self.gpu_count} GPU{'s' if self.gpu_count != 1 else ''} ({names})"


def runtime_info() -> RuntimeInfo:
    cuda = torch.cuda.is_available()
    count = torch.cuda.device_count() if cuda else 0
    return RuntimeInfo(
        cuda_available=cuda,
        gpu_count=count,
        gpu_names=tuple(torch.cuda.get_device_name(i) for i in range(count)),
        cpu_count=os.cpu_count() or 1,
        torch_version=torch.__version__,
        transformers_version=transformers.__version__,
        python_version=platform.python_version(),
    )
