"""The Tensors page's operation controls: which ones each operation shows, and what they set."""

from playground.tensors import lesson


def fields(op, **chosen):
    shown = []
    for control in lesson.controls(op, chosen):
        shown.append(control.field)
        chosen.setdefault(control.field, lesson.control_default(control))
    return shown


def test_a_transpose_shows_the_dims_its_kind_takes():
    assert fields("transpose") == ["transpose_kind"]  # .T takes no dims
    assert fields("transpose", transpose_kind="transpose") == ["transpose_kind", "dim0", "dim1"]
    assert fields("transpose", transpose_kind="permute") == ["transpose_kind", "perm"]


def test_every_control_sets_a_setting_and_starts_at_its_default():
    for op, controls in lesson.OPERATION_CONTROLS.items():
        assert op in lesson.OPS
        for control in controls:
            assert hasattr(lesson.TensorSettings(), control.field)
    assert lesson.operation_settings({"dim": "all"}) == {"dim": None}
    assert lesson.operation_settings({"dim": "1", "keepdim": True}) == {"dim": 1, "keepdim": True}
    reduce = {c.field: lesson.control_default(c) for c in lesson.OPERATION_CONTROLS["reduce"]}
    assert reduce == {"reduction": "sum", "dim": "0", "keepdim": False}
