# Deal Coach: `coach serve` (Slack /slack/events, Teams /api/messages, /livez, /readyz, /metrics).
# Health probes, metrics and the access log: docs/operations.md.
# Migrations run on start. Configure with environment variables (docs/configuration.md).
FROM python:3.12-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 \
    COACH_DATABASE_URL=sqlite:////data/coach.db
RUN useradd --create-home --uid 10001 coach && mkdir /data && chown coach /data
WORKDIR /app
# The pinned dependency set first (its own layer, rebuilt only when the lock changes), then
# the project itself without resolving anything again. Refresh the lock after changing
# pyproject.toml's dependencies: pip-compile --strip-extras --no-emit-index-url
# --no-emit-find-links --output-file requirements.lock pyproject.toml (pip-tools, Python 3.12).
COPY requirements.lock ./
RUN pip install -r requirements.lock
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY adapters ./adapters
COPY knowledge ./knowledge
COPY migrations ./migrations
RUN pip install --no-deps .
USER coach
# Train the free-text classifiers into the image, so no replica trains at its first message.
ENV COACH_MODEL_CACHE=/home/coach/models
RUN python -c "from bot.features import default_knowledge; from bot.understanding.intents import warm; warm(default_knowledge())"
VOLUME ["/data"]
EXPOSE 3978
# Ready = database reachable, schema at head, knowledge loaded (urlopen raises on a 503).
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s CMD python -c "import urllib.request,sys; sys.exit(urllib.request.urlopen('http://127.0.0.1:3978/readyz', timeout=4).status != 200)"
CMD ["coach", "serve", "--host", "0.0.0.0", "--port", "3978"]
