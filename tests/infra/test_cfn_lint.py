"""cfn-lint, run as a tool (its own deprecation warnings stay in its process)."""

from __future__ import annotations

import subprocess

from tests.infra.cfn import REPO
from tests.infra.conftest import venv_tool


def test_cfn_lint_reports_no_error_or_warning_on_any_template() -> None:
    templates = sorted((REPO / "infra").glob("*.yaml"))
    assert templates
    result = subprocess.run(
        [str(venv_tool("cfn-lint")), "--format", "parseable", "--", *map(str, templates)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert (result.returncode, result.stdout) == (0, ""), result.stdout + result.stderr
