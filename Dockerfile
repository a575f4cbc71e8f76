# A Hugging Face Docker Space (README front matter: sdk: docker, app_port: 8501).
# The install and serve commands are the Makefile's own; tests/unit/test_setup_files.py keeps them in step.
FROM python:3.11-slim

RUN useradd --create-home --uid 1000 user
USER user
ENV HOME=/home/user \
    PATH=/home/user/.local/bin:$PATH \
    HF_HOME=/home/user/.cache/huggingface \
    PYTHONUNBUFFERED=1
RUN mkdir -p $HF_HOME
WORKDIR /home/user/app

COPY --chown=user requirements.txt .
RUN python -m pip install --no-cache-dir --user --retries 1 --extra-index-url https://download.pytorch.org/whl/cpu torch==2.13.0 \
 && python -m pip install --no-cache-dir --user -r requirements.txt

COPY --chown=user . .
# The Training page's default corpus (Shakespeare, 1.1 MB), as `make corpus` fetches it.
ADD --chown=user https://raw.githubusercontent.com/karpathy/char-rnn/master/data/tinyshakespeare/input.txt data/tinyshakespeare.txt

EXPOSE 8501
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s \
  CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8501/_stcore/health', timeout=4)"

# .streamlit/config.toml binds to 127.0.0.1 for laptops; a Space must listen on every interface. No file watcher:
# nobody edits the code of a running Space.
CMD ["streamlit", "run", "app.py", "--server.address=0.0.0.0", "--server.port=8501", "--server.fileWatcherType=none"]
