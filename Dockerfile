# ObsPortal production image: PostgreSQL + pg_sphere is expected as an external
# service (OBSPORTAL_DATABASE_URL). Without it the container falls back to the
# embedded SQLite database in /data with the demo log.
#
#   docker build -t obsportal .
#   docker run -p 8000:8000 -e OBSPORTAL_DATABASE_URL=postgresql://user:pw@db/obsportal obsportal

FROM python:3.11-slim-bookworm AS build
WORKDIR /src
RUN python -m venv /opt/obsportal
COPY pyproject.toml README.md ./
COPY obsportal ./obsportal
COPY schema ./schema
COPY adql ./adql
COPY votable ./votable
COPY harvesters ./harvesters
COPY service ./service
COPY alembic ./alembic
RUN /opt/obsportal/bin/pip install --no-cache-dir .

FROM python:3.11-slim-bookworm
RUN useradd --system --uid 10001 --home-dir /data --create-home obsportal
COPY --from=build /opt/obsportal /opt/obsportal
ENV PATH=/opt/obsportal/bin:$PATH \
    OBSPORTAL_DATA_DIR=/data \
    OBSPORTAL_HOST=0.0.0.0 \
    OBSPORTAL_PORT=8000 \
    OBSPORTAL_LOG_JSON=true
USER obsportal
WORKDIR /data
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s \
    CMD python -c "import urllib.request,sys; sys.exit(0 if b'true' in urllib.request.urlopen('http://127.0.0.1:8000/tap/availability').read() else 1)"
# Migrations first (no-op when up to date), then the service.
CMD ["sh", "-c", "obsportal db upgrade && exec obsportal serve"]
