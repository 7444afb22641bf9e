FROM python:3.12-slim-bookworm
RUN apt-get update && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY pyproject.toml constraints.txt ./
COPY . .
RUN pip install --no-cache-dir -c constraints.txt . \
    && SECRET_KEY=build-only python manage.py collectstatic --noinput -v0
ENV SUTASOMA_VAR_DIR=/data
EXPOSE 8000
CMD ["gunicorn", "sutasoma.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", "--threads", "4"]
