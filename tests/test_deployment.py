"""The deployment artefacts stay valid: compose file, production settings."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_compose_file_matches_the_compose_specification():
    result = subprocess.run(
        [
            str(Path(sys.executable).parent / "check-jsonschema"),
            "--builtin-schema",
            "vendor.compose-spec",
            str(ROOT / "docker-compose.yml"),
        ],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_compose_runs_web_worker_beat_db_redis_with_health_checks():
    import yaml

    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    assert {"proxy", "web", "worker", "beat", "db", "redis"} <= set(services)
    assert "ports" not in services["web"], "fixed host ports on web would break --scale web=N"
    for name in ("web", "db", "redis", "worker"):
        assert "healthcheck" in services[name], name
    assert {"pgdata", "media"} <= set(compose["volumes"])


def test_production_settings_pass_the_deploy_checks():
    env = {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},  # set for browser tests only
        "DJANGO_SETTINGS_MODULE": "rentoffice.settings.production",
        "SECRET_KEY": "x" * 20 + "production-like-secret-key-for-the-check-0123456789",
        "ALLOWED_HOSTS": "rentoffice.example.com",
    }
    result = subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "check", "--deploy", "--fail-level", "WARNING"],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_make_run_serves_what_a_user_sees_in_production(db, tmp_path):
    """`make run`: gunicorn workers, DEBUG off (no URL list on a stale link), collected static files
    with hashed names and far-future caching; `make dev` keeps the reloading development server."""
    import time
    import urllib.error
    import urllib.request

    from django.conf import settings

    makefile = (ROOT / "Makefile").read_text()
    run_recipe = makefile.split("\nrun:", 1)[1].split("\n\n", 1)[0]
    assert "DJANGO_SETTINGS_MODULE=rentoffice.settings.local" in run_recipe
    assert "collectstatic" in run_recipe and "-f Procfile start" in run_recipe
    web = next(line for line in (ROOT / "Procfile").read_text().splitlines() if line.startswith("web:"))
    assert "gunicorn" in web and "--workers" in web and "runserver" not in web
    dev_recipe = makefile.split("\ndev:", 1)[1].split("\n\n", 1)[0]
    assert "rentoffice.settings.dev" in dev_recipe and "-f Procfile.dev start" in dev_recipe
    dev_web = next(line for line in (ROOT / "Procfile.dev").read_text().splitlines() if line.startswith("web:"))
    assert "runserver" in dev_web and "--noreload" not in dev_web

    db_settings = settings.DATABASES["default"]
    env = {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
        "DJANGO_SETTINGS_MODULE": "rentoffice.settings.local",
        "SECRET_KEY": "local-demo-secret-key-for-the-test-0123456789abcdefghijklmnop",
        "DATABASE_URL": f"postgres://{db_settings['USER']}@{db_settings['HOST']}:{db_settings['PORT']}/{db_settings['NAME']}",
    }
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env, check=True, timeout=120
    )
    port = _free_port()
    gunicorn = str(Path(sys.executable).parent / "gunicorn")
    server = subprocess.Popen(
        [gunicorn, "rentoffice.wsgi:application", "--bind", f"127.0.0.1:{port}", "--workers", "2"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                login = urllib.request.urlopen(f"{base}/login/", timeout=5).read().decode()
                break
            except OSError:
                time.sleep(0.2)
        else:
            raise AssertionError("gunicorn did not answer")
        with __import__("pytest").raises(urllib.error.HTTPError) as missing:
            urllib.request.urlopen(f"{base}/no-such-page/", timeout=5)
        assert missing.value.code == 404
        body = missing.value.read().decode()
        assert "URLconf" not in body and "django-admin/" not in body
        import re

        css = re.search(r"/static/css/app\.[0-9a-f]{12}\.css", login)
        assert css, "static files are not served from the manifest (hashed names)"
        static = urllib.request.urlopen(f"{base}{css.group(0)}", timeout=5)
        assert static.status == 200 and "immutable" in static.headers["Cache-Control"]
    finally:
        server.terminate()
        server.wait(timeout=20)
