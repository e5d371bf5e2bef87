# hireloop: the web app, the grading workers and the CLI in one image.
#
#   docker build -t hireloop .
#   docker compose up            (compose.yaml: PostgreSQL, Redis, web, workers)
#
# BASE is any Debian 12 (bookworm) image; the public slim one by default. PIP_ARGS lets a build
# install from a local wheelhouse instead of PyPI, e.g. for a machine that cannot reach PyPI:
#   pip wheel -w wheelhouse . && docker build --build-arg PIP_ARGS="--no-index --find-links wheelhouse" .
# The final stage holds Python, bubblewrap and the installed package: no compiler, no pip cache.
ARG BASE=debian:bookworm-slim

FROM ${BASE} AS build
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      python3 python3-venv ca-certificates \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
ARG PIP_ARGS=""
RUN python3 -m venv /opt/hireloop \
 && /opt/hireloop/bin/pip install --no-cache-dir --no-compile ${PIP_ARGS} . \
 && /opt/hireloop/bin/python -m compileall -q /opt/hireloop/lib >/dev/null \
 && rm -rf /opt/hireloop/lib/python3*/site-packages/pip* \
           /opt/hireloop/lib/python3*/site-packages/setuptools* \
           /opt/hireloop/bin/pip*

FROM ${BASE}
# python3: the interpreter the venv was made with (the same path as in the build stage);
# bubblewrap: the code sandbox; tini: a PID 1 that reaps what sandboxes leave to it;
# fonts-dejavu-core: the font of scorecard PDFs (every name and symbol prints; docs/reports.md).
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      python3 bubblewrap tini ca-certificates fonts-dejavu-core \
 && rm -rf /var/lib/apt/lists/* /usr/share/doc/* /usr/share/man/* \
 && useradd --system --uid 999 --user-group --home-dir /var/lib/hireloop --shell /usr/sbin/nologin hireloop \
 && install -d -o root -g hireloop -m 1770 /var/lib/hireloop
COPY --from=build /opt/hireloop /opt/hireloop
ENV PATH=/opt/hireloop/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    HIRELOOP_DATA_DIR=/var/lib/hireloop \
    HIRELOOP_USER=hireloop
WORKDIR /var/lib/hireloop
EXPOSE 8000
ENTRYPOINT ["/usr/bin/tini", "--", "hireloop"]
CMD ["serve", "--host", "0.0.0.0", "--port", "8000"]
