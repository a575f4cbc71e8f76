"""Image classification data for the training lesson, loaded without torchvision.

The lesson trains on MNIST. Offline we default to scikit-learn's bundled 8x8 digits (1,797 images), which trains in
seconds on a CPU. Fashion-MNIST comes from Debian's `dataset-fashion-mnist` package when it is installed, and MNIST
from IDX files in a folder (optionally fetched first when online). Every data set keeps a held-out split that the
model never trains on, so accuracy means generalisation, not memorisation.

IDX format (LeCun et al., http://yann.lecun.com/exdb/mnist/): a big-endian magic number whose third byte is the
element type (0x08 = unsigned byte) and fourth byte the number of dimensions, then one big-endian uint32 per
dimension, then the raw data.
"""

from __future__ import annotations

import gzip
import importlib.util
import struct
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

DATASETS = ("digits", "fashion-mnist", "mnist")

# Where Debian's dataset-fashion-mnist package puts the four IDX files (the package follows the upstream repository's
# data/fashion layout); the first folder holding them wins.
FASHION_MNIST_DIRS = (
    Path("/usr/share/datasets/fashion-mnist"),  # where Debian's dataset-fashion-mnist puts its four .gz files
    Path("/usr/share/dataset-fashion-mnist"),
    Path("/usr/share/fashion-mnist"),
    Path("/usr/share/dataset-fashion-mnist/data/fashion"),
)

IDX_FILES = {
    "train_images": "train-images-idx3-ubyte",
    "train_labels": "train-labels-idx1-ubyte",
    "test_images": "t10k-images-idx3-ubyte",
    "test_labels": "t10k-labels-idx1-ubyte",
}

# A mirror of Yann LeCun's files that stays up (the one torchvision uses).
MNIST_URL = "https://ossci-datasets.s3.amazonaws.com/mnist/"


@dataclass
class ImageData:
    name: str
    x_train: torch.Tensor  # (n, features) float32 in [0, 1]
    y_train: torch.Tensor  # (n,) int64
    x_test: torch.Tensor  # the held-out split
    y_test: torch.Tensor
    image_side: int  # 8 for digits, 28 for (Fashion-)MNIST: lets the page draw samples

    @property
    def input_size(self) -> int:
        return self.x_train.shape[1]

    @property
    def num_classes(self) -> int:
        return int(max(self.y_train.max(), self.y_test.max())) + 1


def digits_csv() -> Path:
    """scikit-learn ships the digits as a CSV (64 pixels + label per row); reading it directly skips importing sklearn,
    which costs seconds in every worker process."""
    spec = importlib.util.find_spec("sklearn")
    if spec is None or spec.origin is None:
        raise FileNotFoundError("scikit-learn is not installed, and it bundles the 8x8 digits")
    return Path(spec.origin).parent / "datasets" / "data" / "digits.csv.gz"


def load_digits(test_fraction: float = 0.2, seed: int = 0) -> ImageData:
    """The 8x8 digits, pixel values 0..16 scaled to 0..1; a seeded shuffle puts the last 20% aside as held-out."""
    table = np.loadtxt(digits_csv(), delimiter=",", dtype=np.float32)
    x, y = table[:, :64] / 16.0, table[:, 64].astype(np.int64)
    order = np.random.default_rng(seed).permutation(len(x))
    n_train = len(x) - int(round(len(x) * test_fraction))
    train, test = order[:n_train], order[n_train:]
    return ImageData(
        "digits",
        torch.from_numpy(x[train]),
        torch.from_numpy(y[train]),
        torch.from_numpy(x[test]),
        torch.from_numpy(y[test]),
        image_side=8,
    )


def read_idx(path: Path) -> np.ndarray:
    """One IDX file (gzipped or not) as a numpy array; a ValueError names what is wrong with the file."""
    path = Path(path)
    raw = path.read_bytes()
    if raw[:2] == b"\x1f\x8b":
        raw = gzip.decompress(raw)
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0:
        raise ValueError(f"{path} is not an IDX file: it must start with two zero bytes")
    if raw[2] != 0x08:
        raise ValueError(f"{path} holds element type 0x{raw[2]:02x}; only unsigned bytes (0x08) are supported")
    ndim = raw[3]
    shape = struct.unpack(f">{ndim}I", raw[4 : 4 + 4 * ndim])
    data = np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim)
    if data.size != int(np.prod(shape)):
        raise ValueError(f"{path} header says shape {shape} but holds {data.size} values")
    return data.reshape(shape)


def _find_idx(folder: Path, stem: str) -> Path:
    for candidate in (folder / stem, folder / f"{stem}.gz"):
        if candidate.exists():
            return candidate
    raise FileNotFoundError(f"{folder} has no {stem} or {stem}.gz")


def load_idx_folder(folder: Path, name: str = "mnist") -> ImageData:
    """The four MNIST-style IDX files in `folder`; the t10k files are the held-out split."""
    folder = Path(folder)
    if not folder.is_dir():
        raise FileNotFoundError(f"{folder} is not a folder")
    arrays = {key: read_idx(_find_idx(folder, stem)) for key, stem in IDX_FILES.items()}
    for split in ("train", "test"):
        images, labels = arrays[f"{split}_images"], arrays[f"{split}_labels"]
        if images.ndim != 3 or labels.ndim != 1 or len(images) != len(labels):
            raise ValueError(f"{folder}: {split} images {images.shape} do not match labels {labels.shape}")

    def flat(images: np.ndarray) -> torch.Tensor:
        return torch.from_numpy(images.reshape(len(images), -1).astype(np.float32) / 255.0)

    def labels(values: np.ndarray) -> torch.Tensor:
        return torch.from_numpy(values.astype(np.int64))

    return ImageData(
        name,
        flat(arrays["train_images"]),
        labels(arrays["train_labels"]),
        flat(arrays["test_images"]),
        labels(arrays["test_labels"]),
        image_side=arrays["train_images"].shape[1],
    )


def fashion_mnist_folder() -> Path | None:
    """The folder of the Debian package's IDX files, or None when dataset-fashion-mnist is not installed."""
    for folder in FASHION_MNIST_DIRS:
        try:
            _find_idx(folder, IDX_FILES["train_images"])
            return folder
        except FileNotFoundError:
            continue
    return None


def download_mnist(folder: Path, base_url: str = MNIST_URL) -> Path:
    """Fetch the four gzipped IDX files into `folder` (skipping those already there). Needs the network. The folder
    is made only once a file has arrived: a download that fails leaves nothing behind."""
    folder = Path(folder)
    for stem in IDX_FILES.values():
        target = folder / f"{stem}.gz"
        if target.exists() or (folder / stem).exists():
            continue
        with urllib.request.urlopen(base_url + target.name, timeout=60) as response:
            data = response.read()
        folder.mkdir(parents=True, exist_ok=True)
        partial = target.with_suffix(".gz.part")
        partial.write_bytes(data)
        partial.rename(target)
    return folder


def available_datasets() -> dict[str, str]:
    """Data set name -> why it can or cannot be used here, for the page's select box."""
    fashion = fashion_mnist_folder()
    return {
        "digits": "scikit-learn's 8×8 digits (1,797 images, bundled, always offline)",
        "fashion-mnist": (
            f"Fashion-MNIST from {fashion}"
            if fashion
            else "Fashion-MNIST: install the Debian package dataset-fashion-mnist first"
        ),
        "mnist": "MNIST from a folder of IDX files (train-images-idx3-ubyte[.gz] …)",
    }


def load_dataset(name: str, folder: str | Path | None = None, seed: int = 0, download: bool = False) -> ImageData:
    """Dispatch on the data set's name; errors say what to install or which folder to give."""
    if name == "digits":
        return load_digits(seed=seed)
    if name == "fashion-mnist":
        found = Path(folder) if folder else fashion_mnist_folder()
        if found is None:
            raise FileNotFoundError(
                "Fashion-MNIST is not installed: `apt-get install dataset-fashion-mnist`, "
                "or give the folder holding its IDX files"
            )
        return load_idx_folder(found, name="fashion-mnist")
    if name == "mnist":
        if not folder:
            raise FileNotFoundError("MNIST needs a folder holding its four IDX files")
        if download:
            download_mnist(Path(folder))
        return load_idx_folder(Path(folder), name="mnist")
    raise ValueError(f"unknown data set {name!r}; choose one of {', '.join(DATASETS)}")
