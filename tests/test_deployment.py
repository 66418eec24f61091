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
