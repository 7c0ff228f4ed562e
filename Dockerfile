# A slim, non-root image of the web app.
#
# Stage 1 installs the pinned dependencies into a virtualenv; stage 2 copies that virtualenv
# and the code onto a clean python:slim base (no compilers, no pip cache, no build files),
# collects the static files once, at build time, and runs gunicorn as an unprivileged user.
FROM python:3.11-slim AS deps
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
WORKDIR /build
# Only the dependency list: this layer is rebuilt when pyproject.toml changes, not the code.
COPY pyproject.toml README.md ./
RUN pip install . && pip uninstall --yes peacekeeping-kb

FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PATH=/opt/venv/bin:$PATH \
    DJANGO_DEBUG=0 \
    WEB_CONCURRENCY=2
RUN useradd --system --uid 10001 --user-group --no-create-home app
COPY --from=deps /opt/venv /opt/venv
WORKDIR /app
COPY --chown=app:app . .
# Hashed, compressed static files, served by whitenoise; the key exists only for this step.
RUN DJANGO_SECRET_KEY=collectstatic-only python manage.py collectstatic --noinput -v0 \
    && chown -R app:app /app/staticfiles
USER app

EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=2)"]
# Workers: $WEB_CONCURRENCY (gunicorn reads it). Logs: JSON lines on stdout from Django;
# gunicorn's own access log is off because the app logs every request with its id.
CMD ["gunicorn", "config.wsgi:application", "--bind", "0.0.0.0:8000", \
     "--max-requests", "2000", "--max-requests-jitter", "200", \
     "--timeout", "30", "--graceful-timeout", "20"]
