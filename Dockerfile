# mamori for CI and scheduled scans: the gates, `mamori scan`, remediation — no emulator (the demo
# extra is left out; add it with MAMORI_EXTRAS="postgres,demo" if you want `mamori demo` inside).
#   docker build -t mamori .
#   docker run --rm -v "$PWD:/src" -w /src mamori gate secrets
#   docker run --rm -e AWS_PROFILE -v ~/.aws:/home/mamori/.aws:ro mamori scan --regions us-east-1
FROM python:3.11-slim

ARG MAMORI_EXTRAS=postgres
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# git: `gate secrets --staged/--history` and `gate deps` read the repository.
RUN apt-get update \
 && apt-get install -y --no-install-recommends git \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --create-home --uid 10001 mamori

WORKDIR /opt/mamori
COPY pyproject.toml README.md LICENSE ./
COPY src ./src
RUN pip install ".[${MAMORI_EXTRAS}]" && rm -rf /opt/mamori/src

USER mamori
WORKDIR /home/mamori
# mounted repositories belong to another uid; let git read them
RUN git config --global --add safe.directory '*'

ENTRYPOINT ["mamori"]
CMD ["--help"]
