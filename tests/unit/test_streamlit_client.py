"""The classroom bench's light client speaks Streamlit's protocol well enough to stand in for a browser tab.

Each test drives a tiny real Streamlit server (a script written to a tmp dir, no models) through
`bench/streamlit_client.py` and checks what the script itself saw: widget values, clicks, pages, the query string,
fragment reruns, errors, the message cache and a server that dies mid-run.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import os
import resource
import signal
import textwrap
import time

import pytest
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from bench.bench_classroom import (
    cpu_seconds,
    memory_mb,
    nearest_rank,
    order_check,
    record,
    serve_app,
    told_places,
)
from bench.streamlit_client import Disconnected, StreamlitSession

APP = textwrap.dedent(
    """
    import time

    import streamlit as st

    st.session_state.setdefault("full_runs", 0)
    st.session_state.full_runs += 1


    def home():
        st.title("Home")
        st.markdown(f"query saw: {dict(st.query_params)}")
        w = st.number_input("w (weight)", value=0.5, step=0.1, format="%.4f")
        count = st.number_input("count", value=3, step=1)
        temperature = st.slider("temperature", 0.0, 2.0, 1.0)
        flag = st.checkbox("flag", value=True)
        name = st.text_input("name", "ada")
        method = st.radio("method", ["greedy", "sampling"], index=1)
        size = st.selectbox("size", ["s", "m", "l"], index=2)
        st.markdown(
            f"values: w={w} count={count} temperature={temperature} flag={flag} name={name} method={method} size={size}"
        )
        if st.button("Generate"):
            st.info("⏳ **Generation: place 2 of 3 in the queue.** 1 request ahead of yours.")
            st.markdown("clicked")
        if w < 0:
            st.error("w must not be negative")
        if name == "boom":
            raise ValueError("the script failed on purpose")
        if name == "sleep":
            time.sleep(30)
        st.markdown("big " + "x" * 20_000)  # above minCachedMessageSize: cacheable
        st.query_params["w"] = str(w)

        @st.fragment
        def explorer():
            k = st.slider("explorer k", 0, 10, 4)
            st.markdown(f"explorer k={k}, full runs so far: {st.session_state.full_runs}")

        explorer()


    def other():
        st.header("Other page")


    pages = [st.Page(home, title="Home", default=True), st.Page(other, title="Other", url_path="other")]
    st.navigation(pages).run()
    """
)


def run(coroutine):
    """On a thread of its own: in the whole suite this thread may already run an event loop (playwright's sync API,
    kept open by the browser tests' session fixture), and asyncio.run refuses to start a second one here."""
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


@pytest.fixture(scope="module")
def app_script(tmp_path_factory):
    folder = tmp_path_factory.mktemp("tiny_streamlit_app")
    (folder / "tiny_app.py").write_text(APP)
    return folder


@pytest.fixture(scope="module")
def url(app_script):
    with serve_app(app_script / "server.log", script=str(app_script / "tiny_app.py")) as (url, _):
        yield url


def markdown(session: StreamlitSession, prefix: str) -> str:
    found = [body for kind, body in session.texts() if kind == "markdown" and body.startswith(prefix)]
    assert len(found) == 1, session.texts()
    return found[0]


def test_a_load_runs_the_default_page_and_finds_its_widgets_and_pages(url):
    async def scenario():
        async with StreamlitSession(url) as session:
            loaded = await session.load()
            assert loaded.status == ForwardMsg.FINISHED_SUCCESSFULLY and loaded.errors == []
            assert loaded.seconds > 0
            assert markdown(session, "values:") == (
                "values: w=0.5 count=3 temperature=1.0 flag=True name=ada method=sampling size=l"
            )
            assert set(session.pages) == {"", "other"}  # from the navigation message: url path -> page hash
            kinds = {kind for kind, _ in session.widgets()}
            assert {"number_input", "slider", "checkbox", "text_input", "radio", "selectbox", "button"} <= kinds
            with pytest.raises(LookupError, match="no buttons labelled like 'Nope'"):
                session.widget("Nope", "button")

    run(scenario())


def test_changing_one_widget_keeps_every_other_value_as_the_frontend_does(url):
    async def scenario():
        async with StreamlitSession(url) as session:
            await session.load()
            await session.set("w (weight)", 0.75, "number_input")
            assert markdown(session, "values:") == (
                "values: w=0.75 count=3 temperature=1.0 flag=True name=ada method=sampling size=l"
            )
            await session.set("temperature", 1.5)
            await session.set("flag", False)
            await session.set("name", "grace")
            await session.set("method", "greedy")
            await session.set("size", "s")
            await session.set("count", 7, "number_input")
            assert markdown(session, "values:") == (
                "values: w=0.75 count=7 temperature=1.5 flag=False name=grace method=greedy size=s"
            )
            with pytest.raises(ValueError, match="not one of 'size'"):
                await session.set("size", "xl")
            with pytest.raises(ValueError, match="whole numbers"):
                await session.set("count", 2.5, "number_input")

    run(scenario())


def test_a_click_is_true_for_one_run_only(url):
    async def scenario():
        async with StreamlitSession(url) as session:
            await session.load()
            clicked = await session.click("Generate")
            assert clicked.first("^clicked$") is not None
            assert [(p[1], p[2]) for p in record("generate", clicked).places] == [(2, 3)]  # the bench's reading
            after = await session.set("w (weight)", 0.6, "number_input")
            assert after.first("^clicked$") is None
            assert "clicked" not in [body for _, body in session.texts()]  # pruned: the last run did not draw it

    run(scenario())


def test_the_query_string_the_server_sets_goes_back_with_the_next_rerun(url):
    async def scenario():
        async with StreamlitSession(url) as session:
            await session.load(query="seed=3")
            assert markdown(session, "query saw:") == "query saw: {'seed': '3'}"
            assert session.query_string == "seed=3&w=0.5"  # page_info_changed after st.query_params["w"] = ...
            await session.set("w (weight)", 0.25, "number_input")
            assert markdown(session, "query saw:") == "query saw: {'seed': '3', 'w': '0.5'}"

    run(scenario())


def test_pages_load_by_url_path_first_then_by_their_hash(url):
    async def scenario():
        async with StreamlitSession(url) as session:
            first = await session.load("other")
            assert first.errors == [] and ("heading", "Other page") in session.texts()
            assert session.page_hash == session.pages["other"]
            await session.load("")
            again = await session.load("other")  # now sent as page_script_hash, as a click in the menu is
            assert again.errors == [] and ("heading", "Other page") in session.texts()
            missing = await session.load("no-such-page")
            assert missing.errors == ["page not found: ''"]

    run(scenario())


def test_a_fragment_widget_reruns_only_its_fragment(url):
    async def scenario():
        async with StreamlitSession(url) as session:
            await session.load()
            before = markdown(session, "explorer k=")
            full_runs = int(before.rsplit(" ", 1)[1])
            changed = await session.set("explorer k", 9)
            assert changed.status == ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY
            assert markdown(session, "explorer k=") == f"explorer k=9, full runs so far: {full_runs}"
            assert markdown(session, "values:").startswith("values: w=0.5 ")  # the rest of the page is still there

    run(scenario())


def test_errors_on_the_page_are_recorded_with_the_run(url):
    async def scenario():
        async with StreamlitSession(url) as session:
            await session.load()
            negative = await session.set("w (weight)", -1.0, "number_input")
            assert negative.errors == ["st.error: w must not be negative"]
            await session.set("w (weight)", 1.0, "number_input")
            failed = await session.set("name", "boom")
            assert failed.errors == ["exception ValueError: the script failed on purpose"]

    run(scenario())


def test_the_message_cache_resolves_what_the_server_sends_by_hash(url):
    async def scenario():
        async with StreamlitSession(url) as cached, StreamlitSession(url, cache_messages=False) as uncached:
            for session in (cached, uncached):
                await session.load()
                await session.set("w (weight)", 0.5 + 0.1, "number_input")
            assert cached.refs_resolved >= 1 and uncached.refs_resolved == 0
            assert markdown(cached, "big ") == markdown(uncached, "big ") == "big " + "x" * 20_000

    run(scenario())


def test_a_server_that_dies_mid_run_is_a_disconnect(app_script):
    async def scenario(url, pid):
        async with StreamlitSession(url) as session:
            await session.load()
            waiting = asyncio.ensure_future(session.set("name", "sleep", timeout=60))
            await asyncio.sleep(1.0)
            os.kill(pid, signal.SIGKILL)
            with pytest.raises(Disconnected):
                await waiting
            assert session.disconnected
            with pytest.raises(Disconnected):
                await session.load()

    with serve_app(app_script / "dying.log", script=str(app_script / "tiny_app.py")) as (url, pid):
        run(scenario(url, pid))


def test_the_bench_reads_cpu_and_memory_from_proc_as_the_kernel_counts_them():
    start = time.process_time()
    while time.process_time() - start < 0.3:
        pass
    assert cpu_seconds(os.getpid()) == pytest.approx(time.process_time(), abs=0.05)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB
    memory = memory_mb(os.getpid())
    assert memory["VmHWM"] == pytest.approx(peak_mb, rel=0.02)
    assert 0 < memory["VmRSS"] <= memory["VmHWM"]


def test_order_and_percentiles_as_the_bench_counts_them():
    from bench.bench_classroom import Action, Learner

    def learner(asked, served):
        return Learner(0, [Action("generate", asked, seconds=served - asked, served_at=served)])

    assert order_check([learner(0, 5), learner(1, 6), learner(2, 7)], "generate")["in_order"]
    swapped = order_check([learner(0, 6), learner(1.5, 5), learner(2, 7)], "generate")
    assert swapped == {"compared": 3, "inversions": 1, "in_order": False, "widest_inverted_gap_seconds": 1.5}
    told = [learner(0, 5), learner(1, 6), learner(2, 7)]
    told[1].actions[0].places.append((0.3, 2, 3))
    assert told_places(told, "generate") == (1, [1, 3])  # one told; the first and third in arrival never were
    assert nearest_rank(list(range(1, 21)), 0.95) == 19 and nearest_rank([4.0], 0.95) == 4.0
    assert nearest_rank(list(range(1, 11)), 0.5) == 5
