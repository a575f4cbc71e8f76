"""What the playground runs on, shown on the home page so a teacher knows what to expect from the hardware.

The home page must not import torch (about 2 s of a cold start, before a learner sees anything), so what it shows
comes from package metadata and the NVIDIA driver's /proc entries; pages that train ask torch itself.
"""

import importlib.metadata
import platform
from dataclasses import dataclass
from pathlib import Path

from playground.cpus import cpu_budget

NVIDIA_GPUS = Path("/proc/driver/nvidia/gpus")


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
    import torch
    import transformers

    cuda = torch.cuda.is_available()
    count = torch.cuda.device_count() if cuda else 0
    return RuntimeInfo(
        cuda_available=cuda,
        gpu_count=count,
        gpu_names=tuple(torch.cuda.get_device_name(i) for i in range(count)),
        cpu_count=cpu_budget().usable,  # not os.cpu_count(): a container reports the host's cores
        torch_version=torch.__version__,
        transformers_version=transformers.__version__,
        python_version=platform.python_version(),
    )


@dataclass(frozen=True)
class HomeFacts:
    gpu_names: tuple[str, ...]
    torch_version: str
    transformers_version: str
    python_version: str

    @property
    def device_summary(self) -> str:
        if not self.gpu_names:
            return "CPU only (no NVIDIA GPU driver found)"
        return (
            f"{len(self.gpu_names)} NVIDIA GPU{'s' if len(self.gpu_names) != 1 else ''} ({', '.join(self.gpu_names)})"
        )


def nvidia_gpus(root: Path = NVIDIA_GPUS) -> tuple[str, ...]:
    """Each GPU the driver knows has a folder whose `information` file names its model."""
    names = []
    for info in sorted(root.glob("*/information")) if root.is_dir() else []:
        model = next(
            (line.split(":", 1)[1].strip() for line in info.read_text().splitlines() if line.startswith("Model:")),
            "GPU",
        )
        names.append(model)
    return tuple(names)


def home_facts() -> HomeFacts:
    version = importlib.metadata.version
    return HomeFacts(nvidia_gpus(), version("torch"), version("transformers"), platform.python_version())
