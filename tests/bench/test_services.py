import shutil

import pytest

from bench.procs import HarnessError
from bench.services import Services, _answers

# A port of the benchmark's own range (8700-8799), so no other work's Redis is touched.
PORT = 8791


@pytest.mark.skipif(not shutil.which("redis-server"), reason="needs redis-server")
def test_a_missing_local_redis_is_started_and_stopped_again(tmp_path):
    (tmp_path / "logs").mkdir()
    assert not _answers("127.0.0.1", PORT), f"something already listens on {PORT}"
    services = Services(
        pg_url="postgres://postgres@127.0.0.1:5432/postgres",
        redis_url=f"redis://127.0.0.1:{PORT}",
        workdir=tmp_path,
    )
    try:
        services._ensure_redis()
        assert _answers("127.0.0.1", PORT)
    finally:
        services.stop_started()
    assert not _answers("127.0.0.1", PORT)


def test_a_remote_service_that_does_not_answer_is_an_error(tmp_path):
    services = Services(
        pg_url="postgres://postgres@192.0.2.1:5432/postgres",  # TEST-NET: never answers
        redis_url="redis://192.0.2.1:6379",
        workdir=tmp_path,
    )
    with pytest.raises(HarnessError, match="not answering"):
        services._ensure_redis()
