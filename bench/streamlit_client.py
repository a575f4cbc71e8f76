"""A light Streamlit client: one learner's browser tab, minus the browser, speaking Streamlit 1.67's own protocol.

Thirty Chromiums would measure Chromium; this measures the server. It does what the frontend does on the wire:

- opens the websocket at `/_stcore/stream` with the `streamlit` subprotocol (Streamlit reads the XSRF token and a
  session id to resume from the second and third entries of that header; without an auth cookie neither is needed);
- asks for a run with a `BackMsg.rerun_script` (`ClientState`): the page by its URL path (`page_name`) the first
  time, as a browser opening a link does, then by the `page_script_hash` the `navigation` message gave it, as a click
  in the menu does; the query string the server last set (`page_info_changed`), and every widget's current value;
- keeps the delta tree (`ForwardMsg.delta` at `metadata.delta_path`), pruning at the end of a full run what that run
  did not redraw, so widgets are found by label and their values kept as the frontend keeps them;
- keeps a message cache: a cacheable message is stored by its hash, the hashes are advertised with every rerun, and
  the server then sends a `ref_hash` instead of the message, which the client resolves from its cache.

A run ends at `script_finished` with a final status (not `FINISHED_EARLY_FOR_RERUN`, which ends one run of an
`st.rerun()` chain). An `exception` element, an error alert, a `page_not_found` or a compilation exception is
recorded as an error of that run; a closed connection raises `Disconnected`.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import time
from dataclasses import dataclass, field

import websockets
from streamlit.proto.Alert_pb2 import Alert
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.NumberInput_pb2 import NumberInput
from streamlit.proto.WidgetStates_pb2 import WidgetState

FINAL_STATUSES = {
    ForwardMsg.FINISHED_SUCCESSFULLY,
    ForwardMsg.FINISHED_WITH_COMPILE_ERROR,
    ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY,
}
# Element types that are widgets whose value the client sends back with every rerun, as the frontend does.
VALUED_WIDGETS = ("number_input", "slider", "checkbox", "text_input", "text_area", "radio", "selectbox")
WIDGETS = (*VALUED_WIDGETS, "button")


class Disconnected(ConnectionError):
    """The server closed the session's websocket (or it broke) while the client was still using it."""


@dataclass
class Text:
    """One text the server sent during a run, and when (seconds since the run was asked for)."""

    at: float
    kind: str  # the element type: markdown, alert:info, heading, spinner, html, ...
    body: str


@dataclass
class Run:
    """What one rerun request brought back."""

    asked_at: float  # time.monotonic() when the BackMsg left
    finished_at: float | None = None
    status: int | None = None
    texts: list[Text] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    messages: int = 0
    done: asyncio.Event = field(default_factory=asyncio.Event)

    @property
    def seconds(self) -> float:
        if self.finished_at is None:
            raise RuntimeError("the run has not finished")
        return self.finished_at - self.asked_at

    def first(self, pattern: str) -> Text | None:
        """The first text of this run that matches `pattern` (a regex), or None."""
        regex = re.compile(pattern)
        return next((text for text in self.texts if regex.search(text.body)), None)

    def matching(self, pattern: str) -> list[Text]:
        regex = re.compile(pattern)
        return [text for text in self.texts if regex.search(text.body)]


def element_texts(element) -> list[tuple[str, str]]:
    """(kind, text) for what a learner reads in one element proto: bodies, alerts, labels, spinners."""
    kind = element.WhichOneof("type")
    if kind is None:
        return []
    proto = getattr(element, kind)
    if kind == "alert":
        return [(f"alert:{Alert.Format.Name(proto.format).lower()}", proto.body)]
    if kind == "exception":
        return [("exception", f"{proto.type}: {proto.message}")]
    if kind == "toast":
        return [("toast", proto.body)]
    if kind == "spinner":
        return [("spinner", proto.text)]
    if kind in ("markdown", "heading", "text", "html", "code"):
        return [(kind, getattr(proto, "body", "") or getattr(proto, "code_text", ""))]
    if kind in WIDGETS:
        return [(kind, proto.label)]
    return []


def element_error(element) -> str | None:
    """What a learner would see as an error in this element: a traceback box or an st.error."""
    kind = element.WhichOneof("type")
    if kind == "exception" and not element.exception.is_warning:
        return f"exception {element.exception.type}: {element.exception.message}"
    if kind == "alert" and element.alert.format == Alert.ERROR:
        return f"st.error: {element.alert.body}"
    return None


def widget_value(kind: str, proto) -> WidgetState | None:
    """The value the frontend holds for a widget just drawn: the server's `value` if it set one, else the default."""
    state = WidgetState(id=proto.id)
    if kind == "number_input":
        if proto.set_value and proto.HasField("value"):
            state.double_value = proto.value
        elif proto.HasField("default"):
            state.double_value = proto.default
        else:
            return None
    elif kind == "slider":
        if proto.options:  # a select_slider: its values travel as the option strings
            if proto.set_value:
                state.string_array_value.data.extend(proto.raw_value)
            else:
                state.string_array_value.data.extend(proto.options[int(i)] for i in proto.default)
        else:
            state.double_array_value.data.extend(proto.value if proto.set_value else proto.default)
    elif kind == "checkbox":
        state.bool_value = proto.value if proto.set_value else proto.default
    elif kind in ("text_input", "text_area"):
        if proto.set_value and proto.HasField("value"):
            state.string_value = proto.value
        elif proto.HasField("default"):
            state.string_value = proto.default
        else:
            return None
    elif kind in ("radio", "selectbox"):
        if proto.set_value and proto.HasField("raw_value"):
            state.string_value = proto.raw_value
        elif proto.HasField("default") and 0 <= proto.default < len(proto.options):
            state.string_value = proto.options[proto.default]
        else:
            return None
    else:
        return None
    return state


def new_value(kind: str, proto, value) -> WidgetState:
    """The WidgetState a learner's edit sends: `value` in the representation Streamlit's server reads for `kind`."""
    state = WidgetState(id=proto.id)
    if kind == "number_input":
        if proto.data_type == NumberInput.INT and float(value) != int(value):
            raise ValueError(f"{proto.label!r} takes whole numbers, not {value!r}")
        state.double_value = float(value)
    elif kind == "slider":
        values = value if isinstance(value, list | tuple) else [value]
        if proto.options:
            state.string_array_value.data.extend(str(v) for v in values)
        else:
            state.double_array_value.data.extend(float(v) for v in values)
    elif kind == "checkbox":
        state.bool_value = bool(value)
    elif kind in ("text_input", "text_area"):
        state.string_value = str(value)
    elif kind in ("radio", "selectbox"):
        if str(value) not in proto.options:
            raise ValueError(f"{value!r} is not one of {proto.label!r}'s options {list(proto.options)}")
        state.string_value = str(value)
    elif kind == "button":
        state.trigger_value = bool(value)
    else:
        raise ValueError(f"the client cannot set a {kind} widget")
    return state


class StreamlitSession:
    """One learner's session on a running Streamlit server.

    Use it as an async context manager; `load`, `click` and `set` each send one rerun and return its `Run` once the
    server says the script finished.
    """

    def __init__(self, base_url: str, *, cache_messages: bool = True, max_message_bytes: int = 256 * 2**20):
        self.base_url = base_url.rstrip("/")
        self.ws_url = self.base_url.replace("http://", "ws://").replace("https://", "wss://") + "/_stcore/stream"
        self.cache_messages = cache_messages
        self.max_message_bytes = max_message_bytes
        self.tree: dict[tuple[int, ...], object] = {}  # delta path -> Element or Block proto
        self.widget_states: dict[str, WidgetState] = {}  # widget id -> the value the frontend would hold
        self.cache: dict[str, ForwardMsg] = {}
        self.refs_resolved = 0  # messages the server sent by hash, found in the cache
        self.fragment_of: dict[str, str] = {}  # widget id -> the fragment that drew it, if one did
        self.pages: dict[str, str] = {}  # url_pathname -> page_script_hash, from the navigation message
        self.page_hash = ""
        self.page_name = ""
        self.query_string = ""
        self.session_id = ""
        self.disconnected = False
        self.close_reason = ""
        self._touched: set[tuple[int, ...]] = set()
        self._run: Run | None = None
        self._ws = None
        self._reader: asyncio.Task | None = None

    async def __aenter__(self) -> StreamlitSession:
        await self.connect()
        return self

    async def __aexit__(self, *exc) -> None:
        await self.close()

    async def connect(self) -> None:
        self._ws = await websockets.connect(
            self.ws_url,
            subprotocols=["streamlit"],
            max_size=self.max_message_bytes,
            open_timeout=60,
            ping_interval=None,  # a browser never pings; the server pings it, and websockets answers those for us
        )
        self._reader = asyncio.create_task(self._read(), name="streamlit-client-read")

    async def close(self) -> None:
        if self._ws is not None:
            await self._ws.close()
        if self._reader is not None:
            self._reader.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._reader

    # --- what a learner does -------------------------------------------------------------------------------------

    async def load(self, page: str = "", query: str = "", timeout: float = 600) -> Run:
        """Open a page by its URL path ("" = the default page), as following a link to it does."""
        self.page_name = page
        self.page_hash = self.pages.get(page, "") if page else ""
        self.query_string = query
        self.widget_states.clear()  # a new page starts from its own widgets' values
        return await self.rerun(timeout=timeout)

    async def click(self, label: str, timeout: float = 600) -> Run:
        """Press the button whose label contains `label`: a trigger that is true for this one rerun only."""
        _, proto = self.widget(label, "button")
        triggers = {proto.id: new_value("button", proto, True)}
        return await self.rerun(triggers, fragment=self.fragment_of.get(proto.id, ""), timeout=timeout)

    async def set(self, label: str, value, kind: str | None = None, timeout: float = 600) -> Run:
        """Change the widget whose label contains `label` to `value`, as typing or dragging there does."""
        found_kind, proto = self.widget(label, kind)
        state = new_value(found_kind, proto, value)
        self.widget_states[proto.id] = state
        return await self.rerun(fragment=self.fragment_of.get(proto.id, ""), timeout=timeout)

    async def rerun(
        self, triggers: dict[str, WidgetState] | None = None, fragment: str = "", timeout: float = 600
    ) -> Run:
        """Ask for a run with every widget's value (and `triggers`); a widget of a fragment reruns only it."""
        if self.disconnected:
            raise Disconnected(self.close_reason or "the session's websocket is closed")
        if self._run is not None and not self._run.done.is_set():
            raise RuntimeError("a rerun is already waiting for its script to finish")
        msg = BackMsg()
        state = msg.rerun_script
        state.query_string = self.query_string
        if self.page_hash:
            state.page_script_hash = self.page_hash
        else:
            state.page_name = self.page_name
        state.fragment_id = fragment
        values = dict(self.widget_states)
        values.update(triggers or {})
        for widget in values.values():
            state.widget_states.widgets.append(widget)
        if self.cache_messages:
            state.cached_message_hashes.extend(self.cache)
        context = state.context_info
        context.timezone, context.timezone_offset, context.locale = "UTC", 0, "en-US"
        path = f"/{self.page_name}" if self.page_name else "/"
        context.url = f"{self.base_url}{path}" + (f"?{self.query_string}" if self.query_string else "")
        context.is_embedded, context.color_scheme = False, "light"
        self._run = run = Run(asked_at=time.monotonic())
        try:
            await self._ws.send(msg.SerializeToString())
        except websockets.ConnectionClosed as err:
            self._closed(f"send failed: {err}")
        done = asyncio.ensure_future(run.done.wait())
        reader_done = asyncio.ensure_future(asyncio.shield(self._reader))
        try:
            await asyncio.wait({done, reader_done}, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
        finally:
            done.cancel()
            reader_done.cancel()
        if not run.done.is_set():
            if self.disconnected:
                raise Disconnected(self.close_reason)
            raise TimeoutError(f"no script_finished within {timeout:g} s ({run.messages} messages came)")
        return run

    # --- what is on screen ---------------------------------------------------------------------------------------

    def elements(self):
        """(delta path, element) for every element now on screen, in page order."""
        for path in sorted(self.tree):
            node = self.tree[path]
            if hasattr(node, "WhichOneof") and node.DESCRIPTOR.name == "Element":
                yield path, node

    def texts(self) -> list[tuple[str, str]]:
        return [text for _, element in self.elements() for text in element_texts(element)]

    def widgets(self, kind: str | None = None):
        """(kind, proto) for every widget on screen, optionally of one kind."""
        for _, element in self.elements():
            found = element.WhichOneof("type")
            if found in WIDGETS and (kind is None or found == kind):
                yield found, getattr(element, found)

    def widget(self, label: str, kind: str | None = None):
        """The one widget whose label contains `label` (and of `kind`, if given); an error names what is there."""
        found = [(k, proto) for k, proto in self.widgets(kind) if label in proto.label]
        if len(found) != 1:
            there = [f"{k} {proto.label!r}" for k, proto in self.widgets()]
            what = "no" if not found else f"{len(found)}"
            raise LookupError(f"{what} {kind or 'widget'}s labelled like {label!r} on screen; there are: {there}")
        return found[0]

    # --- the wire ------------------------------------------------------------------------------------------------

    def _closed(self, reason: str) -> None:
        self.disconnected = True
        self.close_reason = reason

    async def _read(self) -> None:
        try:
            async for data in self._ws:
                msg = ForwardMsg()
                msg.ParseFromString(data)
                self._handle(msg, time.monotonic())
        except websockets.ConnectionClosed as err:
            self._closed(f"connection closed: {err}")
        else:
            self._closed("the server closed the connection")

    def _handle(self, msg: ForwardMsg, now: float) -> None:
        run = self._run
        if run is not None:
            run.messages += 1
        kind = msg.WhichOneof("type")
        if kind == "ref_hash":
            cached = self.cache.get(msg.ref_hash)
            if cached is None:
                if run is not None:
                    run.errors.append(f"the server referred to message {msg.ref_hash} that the client never cached")
                return
            resolved = ForwardMsg()
            resolved.CopyFrom(cached)
            resolved.metadata.CopyFrom(msg.metadata)
            msg, kind = resolved, resolved.WhichOneof("type")
            self.refs_resolved += 1
        elif self.cache_messages and msg.metadata.cacheable and msg.hash:
            self.cache[msg.hash] = msg
        if kind == "new_session":
            self.session_id = msg.new_session.initialize.session_id or self.session_id
            self.page_hash = msg.new_session.page_script_hash or self.page_hash
            if not msg.metadata.run.fragment_ids:  # a full run redraws the page; a fragment's only itself
                self._touched = set()
        elif kind == "navigation":
            self.pages = {page.url_pathname: page.page_script_hash for page in msg.navigation.app_pages}
            self.page_hash = msg.navigation.page_script_hash or self.page_hash
        elif kind == "page_info_changed":
            self.query_string = msg.page_info_changed.query_string
        elif kind == "page_not_found":
            if run is not None:
                run.errors.append(f"page not found: {msg.page_not_found.page_name!r}")
        elif kind == "session_event":
            event = msg.session_event
            if event.WhichOneof("type") == "script_compilation_exception" and run is not None:
                exc = event.script_compilation_exception
                run.errors.append(f"compilation exception {exc.type}: {exc.message}")
        elif kind == "delta":
            self._delta(msg, now, run)
        elif kind == "script_finished":
            if msg.script_finished == ForwardMsg.FINISHED_SUCCESSFULLY:
                self._prune()
            if run is not None and msg.script_finished in FINAL_STATUSES and not run.done.is_set():
                run.status, run.finished_at = msg.script_finished, now
                run.done.set()

    def _delta(self, msg: ForwardMsg, now: float, run: Run | None) -> None:
        path = tuple(msg.metadata.delta_path)
        delta = msg.delta
        which = delta.WhichOneof("type")
        if which == "new_element":
            node = delta.new_element
            widget = node.WhichOneof("type")
            if widget in WIDGETS:
                self.fragment_of[getattr(node, widget).id] = delta.fragment_id
        elif which == "add_block":
            node = delta.add_block
        elif which == "new_transient":
            for element in delta.new_transient.elements:
                self._saw(element, now, run)
            return
        else:
            return
        for old in [p for p in self.tree if p[: len(path)] == path and len(p) > len(path)]:
            del self.tree[old]  # a new node at a path replaces what was under the old one
        self.tree[path] = node
        self._touched.add(path)
        if which == "new_element":
            self._saw(node, now, run)

    def _saw(self, element, now: float, run: Run | None) -> None:
        kind = element.WhichOneof("type")
        if kind in VALUED_WIDGETS:
            proto = getattr(element, kind)
            held = self.widget_states.get(proto.id)
            if held is None or getattr(proto, "set_value", False):
                value = widget_value(kind, proto)
                if value is not None:
                    self.widget_states[proto.id] = value
        if run is None:
            return
        for text_kind, body in element_texts(element):
            run.texts.append(Text(now - run.asked_at, text_kind, body))
        error = element_error(element)
        if error:
            run.errors.append(error)

    def _prune(self) -> None:
        """What the frontend does when a full run finishes: what the run did not draw is gone, widgets included."""
        keep = set()
        for path in self._touched:
            keep.update(path[:i] for i in range(1, len(path) + 1))
        self.tree = {p: node for p, node in self.tree.items() if p in keep}
        alive = {proto.id for _, proto in self.widgets()}
        self.widget_states = {wid: state for wid, state in self.widget_states.items() if wid in alive}
