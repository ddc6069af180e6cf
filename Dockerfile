# syntax=docker/dockerfile:1
#
# One image, three roles: ECOMM_ROLE=web|lookup|order picks what a container runs (the ECS task
# definitions in infra/ecomm.yaml set it). Fargate runs x86_64, so build for it from any machine:
#
#   docker build --platform=linux/amd64 -t ecomm .
#   docker run --rm --init -p 8080:8080 -e ECOMM_ROLE=web -e AWS_ENDPOINT_URL=... ecomm
#
# Runtime dependencies are installed from requirements.lock (exact versions, hash-checked), never
# resolved at build time. After changing [project.dependencies] in pyproject.toml, refresh it with
# `make lock` (uv pip compile, hash-checked; tests/infra checks the lock covers every dependency).
# CodeBuild passes PYTHON_IMAGE from ECR Public's copy of the same image, which is not subject to
# Docker Hub's anonymous pull limits.

ARG PYTHON_IMAGE=python:3.11.14-slim-bookworm

# ---------------------------------------------------------------- build: a venv with the app
FROM ${PYTHON_IMAGE} AS build

ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

RUN python -m venv /opt/venv
COPY requirements.lock /tmp/requirements.lock
RUN /opt/venv/bin/pip install --no-cache-dir --require-hashes --no-deps -r /tmp/requirements.lock

WORKDIR /src
COPY pyproject.toml README.md ./
COPY src ./src
# --no-deps: everything the package needs already came from the lock; the [dev] and [emulator]
# extras are never installed in the image.
RUN /opt/venv/bin/pip wheel --no-cache-dir --no-deps --wheel-dir /tmp/wheels . \
    && /opt/venv/bin/pip install --no-cache-dir --no-deps /tmp/wheels/ecomm-*.whl \
    && /opt/venv/bin/pip check

# ---------------------------------------------------------------- runtime: venv + non-root user
FROM ${PYTHON_IMAGE} AS runtime

LABEL org.opencontainers.image.title="ecomm" \
      org.opencontainers.image.description="ecomm web, lookup and order services (ECOMM_ROLE picks one)"

RUN groupadd --system --gid 10001 ecomm \
    && useradd --system --uid 10001 --gid ecomm --no-create-home --home-dir /nonexistent \
       --shell /usr/sbin/nologin ecomm

COPY --from=build /opt/venv /opt/venv

ENV PATH=/opt/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    ECOMM_HOST=0.0.0.0 \
    ECOMM_LOG_FORMAT=json

USER 10001:10001

EXPOSE 8080 8081 8082

# The port depends on the role (and may be overridden by ECOMM_<ROLE>_PORT); slim has no curl.
# ECS ignores this and uses the task definition's healthCheck; `docker run` uses this one.
HEALTHCHECK --interval=15s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request as u; r = os.environ.get('ECOMM_ROLE') or 'web'; r = 'web' if r == 'all' else r; p = os.environ.get('ECOMM_' + r.upper() + '_PORT') or {'web': '8080', 'lookup': '8081', 'order': '8082'}[r]; u.urlopen('http://127.0.0.1:' + p + '/healthz', timeout=3)"]

# Exec form: the app is PID 1 and receives SIGTERM itself (ECS also runs tini in front of it,
# initProcessEnabled; use `docker run --init` locally). With no arguments the role comes from
# ECOMM_ROLE; `docker run ecomm product --help` runs another subcommand.
ENTRYPOINT ["ecomm"]
