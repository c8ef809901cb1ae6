"""Every environment variable is documented in README.md and listed in deploy/env.example."""

import re
from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR)
_NAME = re.compile(r"`([A-Z][A-Z0-9_]+)`")


def _readme_variables() -> set[str]:
    text = (ROOT / "README.md").read_text()
    section = text.split("## Configuration", 1)[1].split("\n## ", 1)[0]
    names = set()
    for line in section.splitlines():
        if line.startswith("| `"):
            names |= set(_NAME.findall(line.split("|")[1]))
    return names


def _env_example_variables() -> set[str]:
    names = set()
    for line in (ROOT / "deploy/env.example").read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            names.add(line.split("=", 1)[0])
    return names


def _variables_read_by(path: Path) -> set[str]:
    source = path.read_text()
    return set(re.findall(r'env(?:\.\w+)?\(\s*"([A-Z][A-Z0-9_]+)"', source)) | set(
        re.findall(r'environ(?:\.get)?[\(\[]\s*"([A-Z][A-Z0-9_]+)"', source)
    )


def test_env_example_lists_every_variable_of_the_readme_table():
    missing = _readme_variables() - _env_example_variables()
    assert not missing, f"add to deploy/env.example: {sorted(missing)}"


def test_every_variable_the_settings_read_is_in_the_readme_table():
    read = _variables_read_by(ROOT / "config/settings.py") | _variables_read_by(
        ROOT / "config/gunicorn.conf.py"
    )
    missing = read - _readme_variables()
    assert not missing, f"add to README.md's configuration table: {sorted(missing)}"
