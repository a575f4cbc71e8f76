"""The one way "the code" is made: a real script of the lesson, the page's settings filled in, the project's own
functions and classes spliced in from their source.

A panel's template is a Python file in its lesson's `panels/` folder. It runs as it is, importing what it needs from
`playground`, and ruff checks it like every other module, so no panel is a string that only a test ever parses.
`render` turns a template into what a learner pastes into a notebook:

- **switches**: `if name:` / `if not name:` on a switch the page passes keeps only the branch taken, so a panel shows
  only what the page's settings switch on; the switch's own top-level assignment goes;
- **settings**: the first `name = value` of each setting the page passes gets the page's value, as a literal, or as
  `Code` for an expression the lesson itself wrote;
- **splices**: each `from playground... import a, b` is replaced by the source of `a` and `b`, of the module-level
  names they use, and of the imports those need. The panel is self-contained, and it can't drift from the code that
  computed the page, because it is that code.
"""

from __future__ import annotations

import ast
import importlib.util
import sys
import textwrap
import threading
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

Binding = tuple[str | None, str, str | None]  # an import of one name: (from module or None, name, as name or None)
# CPython 3.11's ast module is not thread-safe: two sessions rendering panels at the same moment (a class opening one
# link) can fail with "SystemError: AST constructor recursion depth mismatch" (python/cpython#106905). The server runs
# every session on its own thread, so the panels' parsing takes turns.
AST_LOCK = threading.RLock()


@dataclass(frozen=True)
class Code:
    """An expression the lesson wrote itself (e.g. `torch.tensor([[1, 2]])`), put into the panel as it is."""

    text: str


def safe_literal_eval(text: str):
    """`ast.literal_eval` taking its turn with every other parse in this server (see AST_LOCK)."""
    with AST_LOCK:
        return ast.literal_eval(text)


def literal(value) -> str:
    """A setting as Python source, quoted the way ruff formats it. Only plain data, or the lesson's own `Code`,
    can reach a panel: anything else is refused rather than written out as something that does not run."""
    if isinstance(value, Code):
        return value.text
    text = _source(value)
    try:
        with AST_LOCK:
            same = ast.literal_eval(text) == value
    except (ValueError, SyntaxError):
        same = False
    if not same:
        raise ValueError(f"{value!r} can't be written as a Python literal")
    return text


def _source(value) -> str:
    if isinstance(value, str):
        text = repr(value)
        return f'"{text[1:-1]}"'.replace("\\'", "'") if text[0] == "'" and '"' not in value else text
    if isinstance(value, list):
        return "[" + ", ".join(map(_source, value)) + "]"
    if isinstance(value, tuple):
        return "(" + ", ".join(map(_source, value)) + ("," if len(value) == 1 else "") + ")"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_source(k)}: {_source(v)}" for k, v in value.items()) + "}"
    return repr(value)


def render(template: Path, settings: dict | None = None, switches: dict | None = None) -> str:
    path = Path(template)
    with AST_LOCK:
        texts = tuple((name, _setting_text(value)) for name, value in (settings or {}).items())
        return _render(str(path), path.stat().st_mtime_ns, tuple(sorted((switches or {}).items())), texts)


def _setting_text(value) -> str | tuple[tuple[str, str], ...]:
    """A setting as the source it becomes; a dict key by key, as `_values` fills a dict written out in a template."""
    if isinstance(value, dict):
        return tuple((key, literal(item)) for key, item in value.items())
    return literal(value)


@lru_cache(maxsize=256)  # a page draws its panels on every rerun: the same template, settings and switches, once
def _render(template: str, mtime_ns: int, switch_items: tuple, texts: tuple) -> str:
    path, switches, settings = Path(template), dict(switch_items), dict(texts)
    lines = _fold(path.read_text(encoding="utf-8").splitlines(), switches)
    tree = ast.parse("\n".join(lines))
    edits = []  # (first line, first column, last line, last column or None for whole lines, new lines)
    bound: dict[str, Binding] = {}
    spliced, future = [], False
    import_nodes = [node for node in tree.body if isinstance(node, (ast.Import, ast.ImportFrom))]
    for node in tree.body:
        if _assigned_name(node) in switches:  # with the comments just above it, which speak of the switches
            start = node.lineno
            while start > 1 and lines[start - 2].lstrip().startswith("#"):
                start -= 1
            edits.append((start, 0, node.end_lineno, None, []))
        if _from_playground(node):
            if any(alias.asname for alias in node.names):
                raise ValueError(f"{path.name}: a spliced name keeps its own name ({ast.unparse(node)})")
            spliced += [(node.module, alias.name) for alias in node.names]
        elif isinstance(node, ast.Import) and any(a.name.split(".")[0] == "playground" for a in node.names):
            raise ValueError(f"{path.name}: splice names with `from playground... import`, not `import`")
        elif isinstance(node, ast.ImportFrom) and node.module == "__future__":
            future = True
        elif node in import_nodes:
            bound |= _bindings(node)

    first = {}  # each setting goes into the first assignment of its name, wherever it is
    for node in ast.walk(tree):
        name = _assigned_name(node)
        if name in settings and (name not in first or node.lineno < first[name].lineno):
            first[name] = node
    if missing := set(settings) - set(first):
        raise ValueError(f"{path.name} has no setting {', '.join(sorted(missing))}")
    for name, node in first.items():
        for value, text in _values(node.value, settings[name], name):
            edits.append((value.lineno, value.col_offset, value.end_lineno, value.end_col_offset, [text]))

    codes = [ast.parse(text) for text in settings.values() if isinstance(text, str)]  # `Code` may name imports
    used = {n.id for part in (tree, *codes) for n in ast.walk(part) if isinstance(n, ast.Name)}
    bound = {name: binding for name, binding in bound.items() if name in used}  # what a fold left unused goes
    defined = {_assigned_name(n) for n in tree.body} | {getattr(n, "name", None) for n in tree.body}
    sources, postponed = _bundle([s for s in spliced if s[1] in used], bound, defined)
    future |= postponed
    if import_nodes:  # the imports stand together at the top: they become one block, then the spliced sources
        first_line, last_line = import_nodes[0].lineno, import_nodes[-1].end_lineno
        if any(first_line < n.lineno < last_line and n not in import_nodes for n in tree.body):
            raise ValueError(f"{path.name}: keep the imports together at the top")
        block = _import_block(bound, future)
        if sources:
            block += ["", "", *"\n\n\n".join(sources).splitlines(), ""]
        edits.append((first_line, 0, last_line, None, block))
    for start, col, end, end_col, new in sorted(edits, key=lambda e: e[:2], reverse=True):  # bottom up
        if end_col is None:
            if not new and 1 < start and end < len(lines) and not lines[start - 2].strip() and not lines[end].strip():
                end += 1  # a block removed between two blank lines leaves one of them
            lines[start - 1 : end] = new
        else:  # ast's columns count UTF-8 bytes, not characters
            head, tail = lines[start - 1].encode()[:col].decode(), lines[end - 1].encode()[end_col:].decode()
            lines[start - 1 : end] = [head + new[0] + tail]
    source = "\n".join(lines).strip("\n") + "\n"
    while "\n\n\n\n" in source:
        source = source.replace("\n\n\n\n", "\n\n\n")
    compile(source, path.name, "exec")  # a panel that does not even parse must never reach a page
    return source


def _values(node: ast.expr, setting, name: str) -> list[tuple[ast.expr, object]]:
    """Where a setting's value goes: the whole expression; or, for a dict written out in the template, each value
    in its place, so the comment beside each key stays."""
    if isinstance(setting, tuple) and not isinstance(node, ast.Dict):  # a dict setting for another expression
        return [(node, "{" + ", ".join(f"{_source(key)}: {text}" for key, text in setting) + "}")]
    if not isinstance(setting, tuple):
        return [(node, setting)]
    keys, wanted = [ast.literal_eval(key) for key in node.keys], [key for key, _ in setting]
    if keys != wanted:
        raise ValueError(f"setting {name} has the keys {wanted}, its template {keys}")
    return list(zip(node.values, [text for _, text in setting], strict=True))


def _assigned_name(node: ast.AST) -> str | None:
    if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
        return node.targets[0].id
    if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.value is not None:
        return node.target.id
    return None


def _switch(node: ast.If, switches: dict) -> bool | None:
    """Which branch of `if name:` / `if not name:` is taken, or None if the test is not a bare switch."""
    test, negated = node.test, False
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        test, negated = test.operand, True
    if isinstance(test, ast.Name) and test.id in switches:
        return bool(switches[test.id]) != negated
    return None


def _fold(lines: list[str], switches: dict) -> list[str]:
    """Replace each switched `if` by the branch taken, dedented to the `if`'s own column, outermost first."""
    while True:
        tree = ast.parse("\n".join(lines))
        node = next((n for n in ast.walk(tree) if isinstance(n, ast.If) and _switch(n, switches) is not None), None)
        if node is None:
            return lines
        body_end = node.body[-1].end_lineno
        if node.body[0].lineno == node.lineno:
            raise ValueError(f"put the body of `if {ast.unparse(node.test)}:` on lines of its own")
        if _switch(node, switches):
            kept = lines[node.lineno : body_end]
        elif node.orelse:
            else_line = [i for i in range(body_end, node.orelse[0].lineno) if lines[i].split("#")[0].strip() == "else:"]
            if not else_line:  # an `elif` on a switch: its test is not a switch, so the fold would change its meaning
                raise ValueError(f"`if {ast.unparse(node.test)}:` takes an `else:`, not an `elif`")
            kept = lines[else_line[0] + 1 : node.orelse[-1].end_lineno]
        else:
            kept = ["pass"] if _only_statement(tree, node) else []  # a block must keep a statement
        kept = textwrap.indent(textwrap.dedent("\n".join(kept)), " " * node.col_offset).splitlines()
        lines = lines[: node.lineno - 1] + kept + lines[node.end_lineno :]


def _only_statement(tree: ast.Module, node: ast.stmt) -> bool:
    blocks = (getattr(n, field, None) for n in ast.walk(tree) for field in ("body", "orelse", "finalbody"))
    return any(block == [node] for block in blocks if isinstance(block, list))


def _from_playground(node: ast.AST) -> bool:
    return isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "playground"


def _bindings(node: ast.Import | ast.ImportFrom) -> dict[str, Binding]:
    """The names one import statement binds."""
    if isinstance(node, ast.Import):
        return {(a.asname or a.name.split(".")[0]): (None, a.name, a.asname) for a in node.names}
    return {(a.asname or a.name): ("." * node.level + (node.module or ""), a.name, a.asname) for a in node.names}


@cache
def _module(name: str) -> tuple[list[str], dict[str, ast.stmt], dict[str, Binding], bool]:
    """A module's lines, its top-level definitions by name, the names its imports bind, and whether it postpones
    annotations (`from __future__ import annotations`)."""
    text = Path(importlib.util.find_spec(name).origin).read_text(encoding="utf-8")
    tree = ast.parse(text)
    definitions, bound, future = {}, {}, False
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            definitions[node.name] = node
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):  # `A = ...`, and `A, B = ...` too
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                for name in ast.walk(target):
                    if isinstance(name, ast.Name):
                        definitions[name.id] = node
        elif isinstance(node, ast.ImportFrom) and node.module == "__future__":
            future = True
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            bound |= _bindings(node)
    return text.splitlines(), definitions, bound, future


def _bundle(wanted: list[tuple[str, str]], bound: dict[str, Binding], defined: set) -> tuple[list[str], bool]:
    """The sources of the `wanted` (module, name) pairs and of the module-level names they use, each after what it
    needs; the imports they need are added to `bound`. Names the template defines itself are not spliced."""
    sources, seen, future, spliced_from = [], set(), False, {}

    def visit(module: str, name: str) -> None:
        nonlocal future
        if (module, name) in seen or name in defined:
            return
        if spliced_from.setdefault(name, module) != module:
            raise ValueError(f"{name} would be spliced from both {spliced_from[name]} and {module}")
        seen.add((module, name))
        lines, definitions, imports, postponed = _module(module)
        if name not in definitions:
            raise ValueError(f"{module} has no top-level {name} to splice into a panel")
        future |= postponed
        node = definitions[name]
        if (module, node.lineno) in seen:  # `A, B = ...` defines both at once
            return
        seen.add((module, node.lineno))
        for used in dict.fromkeys(n.id for n in ast.walk(node) if isinstance(n, ast.Name)):
            if used == name or used in defined:
                continue
            if used in definitions:
                visit(module, used)
            elif used in imports and (imports[used][0] or "").split(".")[0] == "playground":
                from_module, original, as_name = imports[used]
                if as_name:
                    raise ValueError(f"{module} imports {original} as {as_name}: a spliced name keeps its own name")
                visit(from_module, original)
            elif used in imports:
                if bound.setdefault(used, imports[used]) != imports[used]:
                    raise ValueError(f"{module} binds {used} otherwise than the panel's template does")
        start = min([node.lineno, *(d.lineno for d in getattr(node, "decorator_list", []))])
        sources.append("\n".join(lines[start - 1 : node.end_lineno]))

    for module, name in wanted:
        visit(module, name)
    return sources, future


def _import_block(bound: dict[str, Binding], future: bool) -> list[str]:
    """The imports, sorted as ruff's isort sorts them: standard library, then the rest; `import x` before `from`."""
    straight, froms = set(), {}
    for module, name, as_name in bound.values():
        alias = f"{name} as {as_name}" if as_name else name
        if module is None:
            straight.add(f"import {alias}")
        else:
            froms.setdefault(module, set()).add(alias)
    groups = {True: [], False: []}  # standard library or not
    for line in sorted(straight, key=str.lower):
        groups[line.split()[1].split(".")[0] in sys.stdlib_module_names].append(line)
    for module in sorted(froms, key=str.lower):
        names = ", ".join(sorted(froms[module], key=lambda n: (not n.isupper(), not n[:1].isupper(), n.lower())))
        groups[module.split(".")[0] in sys.stdlib_module_names].append(f"from {module} import {names}")
    block = ["from __future__ import annotations", ""] if future else []
    for group in (groups[True], groups[False]):
        if group:
            block += [*group, ""]
    return block[:-1] if block else []
