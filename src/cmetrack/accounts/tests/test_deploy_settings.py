"""Production settings must pass Django's deployment checks and refuse an insecure secret key."""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

PRODUCTION = {"DJANGO_SETTINGS_MODULE": "cmetrack.settings.production"}


def _cmetrack(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - our own console entry point, fixed arguments
        [sys.executable, "-m", "cmetrack.cli", *args],
        env={
            **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
            **PRODUCTION,
            **env,
        },
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_production_settings_pass_check_deploy_with_no_warnings() -> None:
    result = _cmetrack(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        CMETRACK_SECRET_KEY=secrets.token_urlsafe(50),
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_settings_refuse_to_start_without_a_real_secret_key() -> None:
    result = _cmetrack("check", CMETRACK_SECRET_KEY="")
    assert result.returncode != 0
    assert "CMETRACK_SECRET_KEY" in result.stderr


def test_static_files_collect_under_production_settings_into_a_manifest(tmp_path: Path) -> None:
    # The minified GOV.UK and MOJ files name their source maps: the manifest storage refuses a
    # file that names one it cannot find, and every page would then answer 500.
    result = _cmetrack(
        "collectstatic",
        "--noinput",
        CMETRACK_SECRET_KEY=secrets.token_urlsafe(50),
        CMETRACK_STATIC_ROOT=str(tmp_path),
    )
    assert result.returncode == 0, result.stdout + result.stderr
    paths = json.loads((tmp_path / "staticfiles.json").read_text())["paths"]
    for name in (
        "vendor/govuk/govuk-frontend.min.css",
        "vendor/moj/moj-frontend.min.css",
        "vendor/moj/moj-frontend.min.css.map",
        "cmetrack/init.mjs",
    ):
        assert name in paths, name


def _production_setting(expression: str, **env: str) -> str:
    """Evaluate `expression` against the production settings in a fresh interpreter."""
    script = f"import django; django.setup(); from django.conf import settings; print({expression})"
    result = subprocess.run(  # noqa: S603 - the test's own fixed script
        [sys.executable, "-c", script],
        env={**os.environ, **PRODUCTION, "CMETRACK_SECRET_KEY": secrets.token_urlsafe(50), **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_production_reads_the_secret_key_from_a_file(tmp_path: Path) -> None:
    key = tmp_path / "secret-key"
    key.write_text(secrets.token_urlsafe(50) + "\n")
    value = _production_setting(
        "settings.SECRET_KEY", CMETRACK_SECRET_KEY="", CMETRACK_SECRET_KEY_FILE=str(key)
    )
    assert value == key.read_text().strip()


def test_production_on_postgresql_pools_connections_per_process() -> None:
    pool = _production_setting(
        "(settings.DATABASES['default']['CONN_MAX_AGE'], "
        "settings.DATABASES['default']['OPTIONS']['pool']['max_size'])",
        DATABASE_URL="postgres://cmetrack@127.0.0.1:5432/cmetrack",
        CMETRACK_DB_POOL_SIZE="9",
    )
    assert pool == "(0, 9)"


def test_production_logs_json_and_exempts_healthz_from_the_https_redirect() -> None:
    value = _production_setting(
        "settings.LOGGING['handlers']['console']['formatter'], settings.SECURE_REDIRECT_EXEMPT"
    )
    assert value == "json ['^healthz$']"


def test_make_serve_refuses_to_start_without_a_database_url() -> None:
    result = subprocess.run(
        ["make", "--no-print-directory", "serve"],  # noqa: S607 - make from PATH, as a user runs it
        env={k: v for k, v in os.environ.items() if k != "DATABASE_URL"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=Path(__file__).resolve().parents[4],
    )
    assert result.returncode != 0
    assert "make serve runs on PostgreSQL: set DATABASE_URL" in result.stdout + result.stderr


def test_cmetrack_serve_refuses_the_development_settings() -> None:
    result = _cmetrack("serve", DJANGO_SETTINGS_MODULE="cmetrack.settings.dev")
    assert result.returncode != 0
    assert "cmetrack serve runs the production settings" in result.stderr
