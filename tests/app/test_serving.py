"""Heavy work on a shared server, in a real Streamlit script run: a model's first load waits its turn in line, a model
already loaded never waits behind someone's generation, and a learner who leaves the line is not put back in it."""

import threading
import time
import uuid

from streamlit.testing.v1 import AppTest

from ui.serving import HEAVY_WORK


def load_page(key):
    import streamlit as st

    from ui.serving import load_in_turn

    st.write(f"loaded {load_in_turn('Loading a model', key, lambda: 42)}")


def run_while_the_server_is_busy(at: AppTest) -> tuple[AppTest, bool]:
    """Run the page while another learner's work holds the only slot; True if the page had to wait for it."""
    busy = HEAVY_WORK.join("another learner's generation")
    run = threading.Thread(target=at.run)
    run.start()
    run.join(3.0)
    waited = run.is_alive()
    busy.leave()
    run.join(60)
    return at, waited


def test_a_models_first_load_waits_its_turn_and_the_next_visit_does_not():
    key = ("gpt", f"a model {uuid.uuid4()}", False)
    first, waited = run_while_the_server_is_busy(AppTest.from_function(load_page, args=(key,), default_timeout=60))
    assert waited and first.markdown[0].value == "loaded 42"
    again, waited = run_while_the_server_is_busy(AppTest.from_function(load_page, args=(key,), default_timeout=60))
    assert not waited and again.markdown[0].value == "loaded 42"
    assert HEAVY_WORK.snapshot() == (0, 0)


def queue_page(key):
    import streamlit as st

    from ui.serving import computed_once, left_the_queue

    clicked = st.button("Generate")
    if left_the_queue(key, clicked):
        st.write("left")
    else:
        st.write(computed_once(key, "Generation", lambda report: "the text", lambda progress: None, st.empty()))


def test_a_learner_who_left_the_line_is_not_put_back_in_it_until_they_ask_again():
    from ui.serving import LEFT

    key = f"a request {uuid.uuid4()}"
    at = AppTest.from_function(queue_page, args=(key,), default_timeout=60)
    at.session_state[LEFT] = key  # what the "Leave the queue" button's callback sets
    started = time.monotonic()
    at.run()
    assert at.markdown[0].value == "left" and time.monotonic() - started < 30
    at.button[0].click().run()  # Generate again
    assert at.markdown[0].value == "the text" and LEFT not in at.session_state


def failing_load_page(key):
    import streamlit as st

    from ui.serving import load_in_turn

    def load():
        raise ValueError("no such model")

    try:
        load_in_turn("Loading a model", key, load)
    except ValueError as err:
        st.error(str(err))


def test_a_load_that_fails_leaves_its_error_and_no_word_of_the_queue():
    at = AppTest.from_function(failing_load_page, args=(("gpt", f"a model {uuid.uuid4()}", False),), default_timeout=60)
    at.run()
    assert [e.value for e in at.error] == ["no such model"]
    assert not [c.value for c in at.caption if "queue" in c.value] and not at.info
    assert HEAVY_WORK.snapshot() == (0, 0)
