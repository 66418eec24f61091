# Production image: gunicorn (web), celery worker and beat all run from this image.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 \
    DJANGO_SETTINGS_MODULE=rentoffice.settings.production \
    PIP_NO_CACHE_DIR=1

RUN apt-get update \
    && apt-get install -y --no-install-recommends \
       libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core curl \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY pyproject.toml constraints.txt ./
COPY . .
RUN pip install -c constraints.txt . \
    && SECRET_KEY=build-only DATABASE_URL=postgres://x@localhost/x python manage.py collectstatic --noinput -v0

RUN useradd --system --uid 1000 --home /app rentoffice && mkdir -p /app/var/media && chown -R rentoffice /app/var
USER rentoffice

EXPOSE 8000
CMD ["gunicorn", "rentoffice.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
