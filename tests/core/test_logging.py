import json
import subprocess
import sys
from pathlib import Path

from django.conf import settings as django_settings

ROOT = Path(django_settings.BASE_DIR)

_WRITER = """
import logging, sys
from eventmate.core.logging import JsonFormatter, ProcessSafeRotatingFileHandler
handler = ProcessSafeRotatingFileHandler(sys.argv[1], maxBytes=20_000, backupCount=100)
handler.setFormatter(JsonFormatter())
log = logging.getLogger("writer")
log.addHandler(handler)
log.setLevel(logging.INFO)
for n in range(int(sys.argv[3])):
    log.info("line %s from %s %s", n, sys.argv[2], "x" * 120)
"""


def test_rotating_file_shared_by_several_processes_loses_and_mangles_nothing(tmp_path):
    log_file = tmp_path / "app.log"
    lines_each = 400
    writers = [
        subprocess.Popen(
            [sys.executable, "-c", _WRITER, str(log_file), f"w{n}", str(lines_each)], cwd=ROOT
        )
        for n in range(3)
    ]
    assert [writer.wait(timeout=60) for writer in writers] == [0, 0, 0]
    files = sorted(tmp_path.glob("app.log*"))
    files = [f for f in files if not f.name.endswith(".lock")]
    assert len(files) > 3  # it rotated
    records = []
    for path in files:
        assert path.stat().st_size <= 20_000
        records += [json.loads(line) for line in path.read_text().splitlines()]
    assert len(records) == 3 * lines_each
    for writer in ("w0", "w1", "w2"):
        numbers = sorted(
            int(r["message"].split()[1]) for r in records if f"from {writer} " in r["message"]
        )
        assert numbers == list(range(lines_each))


def test_log_file_setting_adds_the_rotating_handler(tmp_path):
    script = (
        "import django, logging; django.setup(); "
        "h = [h for h in logging.getLogger().handlers "
        "if type(h).__name__ == 'ProcessSafeRotatingFileHandler']; "
        "print(h[0].maxBytes, h[0].backupCount, h[0].baseFilename)"
    )
    env = {
        "PATH": "/usr/bin:/bin",
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "SECRET_KEY": "x" * 60,
        "LOG_FILE": str(tmp_path / "app.log"),
    }
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.stdout.split() == ["10485760", "10", str(tmp_path / "app.log")], result.stderr
