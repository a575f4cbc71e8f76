"""The training lesson's data: sklearn's digits without sklearn, IDX files without torchvision, a held-out split."""

import gzip
import struct

import numpy as np
import pytest
import torch

from playground.training import data as digits_data
from playground.training.data import load_dataset, load_digits, load_idx_folder, read_idx
from playground.training.simple_nn import SimpleNN


def write_idx(path, array, compress=False):
    header = bytes([0, 0, 0x08, array.ndim]) + struct.pack(f">{array.ndim}I", *array.shape)
    raw = header + array.astype(np.uint8).tobytes()
    path.write_bytes(gzip.compress(raw) if compress else raw)


def fake_mnist(folder, n_train=40, n_test=10, side=28, compress=True, seed=0):
    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True, exist_ok=True)
    arrays = {
        "train-images-idx3-ubyte": rng.integers(0, 256, (n_train, side, side)),
        "train-labels-idx1-ubyte": rng.integers(0, 10, n_train),
        "t10k-images-idx3-ubyte": rng.integers(0, 256, (n_test, side, side)),
        "t10k-labels-idx1-ubyte": rng.integers(0, 10, n_test),
    }
    for stem, array in arrays.items():
        write_idx(folder / (stem + (".gz" if compress else "")), array, compress)
    return arrays


def test_digits_are_sklearns_digits_split_into_disjoint_train_and_held_out():
    from sklearn.datasets import load_digits as sklearn_digits

    reference = sklearn_digits()
    data = load_digits(seed=0)
    assert data.input_size == 64 and data.num_classes == 10
    assert len(data.x_train) + len(data.x_test) == len(reference.data) == 1797
    assert len(data.x_test) == round(1797 * 0.2)
    everything = torch.cat([data.x_train, data.x_test])
    labels = torch.cat([data.y_train, data.y_test])
    # Train and held-out together are exactly sklearn's rows (pixels scaled from 0..16 to 0..1), each used once:
    # a partition, so no held-out image is ever trained on.
    ours = sorted(map(tuple, torch.cat([everything * 16, labels[:, None].float()], 1).tolist()))
    theirs = sorted(map(tuple, np.concatenate([reference.data, reference.target[:, None]], 1).tolist()))
    assert ours == theirs
    assert not torch.equal(load_digits(seed=1).y_test, data.y_test), "the split must depend on the seed"


@pytest.mark.parametrize("compress", [True, False])
def test_idx_files_round_trip(tmp_path, compress):
    arrays = fake_mnist(tmp_path, compress=compress)
    data = load_idx_folder(tmp_path)
    assert data.input_size == 784 and data.image_side == 28
    assert torch.allclose(
        data.x_train * 255, torch.tensor(arrays["train-images-idx3-ubyte"].reshape(40, -1), dtype=torch.float32)
    )
    assert data.y_test.tolist() == arrays["t10k-labels-idx1-ubyte"].tolist()
    assert SimpleNN(data.input_size)(data.x_test).shape == (10, 10)


def test_bad_idx_files_say_what_is_wrong(tmp_path):
    (tmp_path / "junk").write_bytes(b"hello world")
    with pytest.raises(ValueError, match="not an IDX file"):
        read_idx(tmp_path / "junk")
    (tmp_path / "short").write_bytes(bytes([0, 0, 8, 1]) + struct.pack(">I", 100) + b"\x01" * 5)
    with pytest.raises(ValueError, match="header says shape"):
        read_idx(tmp_path / "short")
    with pytest.raises(FileNotFoundError, match="t10k|train"):
        load_idx_folder(tmp_path)
    with pytest.raises(FileNotFoundError, match="needs a folder"):
        load_dataset("mnist")
    with pytest.raises(ValueError, match="unknown data set"):
        load_dataset("cifar")


def test_mnist_download_fetches_the_four_files(tmp_path):
    mirror = tmp_path / "mirror"
    arrays = fake_mnist(mirror)
    target = tmp_path / "mnist"
    digits_data.download_mnist(target, base_url=mirror.as_uri() + "/")
    assert sorted(p.name for p in target.iterdir()) == sorted(f"{s}.gz" for s in arrays)
    data = load_dataset("mnist", target)
    assert data.y_train.tolist() == arrays["train-labels-idx1-ubyte"].tolist()


def test_a_download_that_fails_leaves_no_folder_behind(tmp_path):
    target = tmp_path / "deep" / "mnist"
    with pytest.raises(OSError):
        digits_data.download_mnist(target, base_url=(tmp_path / "no-mirror").as_uri() + "/")
    assert not (tmp_path / "deep").exists()


def test_fashion_mnist_is_found_where_the_debian_package_puts_it(tmp_path, monkeypatch):
    monkeypatch.setattr(digits_data, "FASHION_MNIST_DIRS", (tmp_path / "absent", tmp_path / "fashion"))
    assert digits_data.fashion_mnist_folder() is None
    with pytest.raises(FileNotFoundError, match="apt-get install dataset-fashion-mnist"):
        load_dataset("fashion-mnist")
    fake_mnist(tmp_path / "fashion")
    assert digits_data.fashion_mnist_folder() == tmp_path / "fashion"
    assert load_dataset("fashion-mnist").name == "fashion-mnist"
    assert "Fashion-MNIST from" in digits_data.available_datasets()["fashion-mnist"]
