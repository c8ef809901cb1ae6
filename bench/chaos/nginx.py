"""nginx in front of the two Gunicorn instances, as deploy/nginx.conf puts it: the options of
its upstream `server` lines and its `keepalive` are copied from that file, and
deploy/nginx-proxy.conf (timeouts, retries on the other instance) is included as it is, so the
run tests the deployed proxy configuration; but plain HTTP on loopback, with every file nginx
writes in the run's work folder."""

import re
import shutil
import subprocess
from pathlib import Path

from bench.procs import HarnessError, log

CONFIG = """\
worker_processes 1;
pid {folder}/nginx.pid;
error_log {folder}/error.log warn;
events {{ worker_connections 4096; }}
http {{
    log_format chaos '$msec $request_method $status "$upstream_addr" "$upstream_status" '
                     '$request_time "$request_uri"';
    access_log {folder}/access.log chaos;
    client_body_temp_path {folder}/client_body;
    proxy_temp_path {folder}/proxy;
    fastcgi_temp_path {folder}/fastcgi;
    uwsgi_temp_path {folder}/uwsgi;
    scgi_temp_path {folder}/scgi;
    keepalive_timeout 30s;
    upstream eventmate_app {{
{servers}
    }}
    server {{
        listen 127.0.0.1:{port};
        location / {{
            proxy_pass http://eventmate_app;
            include {snippet};
        }}
    }}
}}
"""


def deployed_upstream(config_text: str) -> tuple[str, str]:
    """(the options of the first `server` line, the `keepalive` line) of deploy/nginx.conf's
    upstream block, so the harness tests what is deployed (e.g. "max_fails=0", "keepalive 32")."""
    block = re.search(r"upstream\s+\w+\s*\{(.*?)\n\}", config_text, re.S)
    if block is None:
        raise HarnessError("deploy/nginx.conf has no upstream block")
    lines = [line.split("#", 1)[0].strip() for line in block.group(1).splitlines()]
    lines = [line for line in lines if line]
    server = next((line for line in lines if line.startswith("server ")), None)
    if server is None:
        raise HarnessError("deploy/nginx.conf's upstream block has no server line")
    options = server.rstrip(";").split(None, 2)[2:] or [""]
    keepalive = next((line.rstrip(";") for line in lines if line.startswith("keepalive ")), "")
    return options[0].strip(), keepalive


def render_config(
    *, folder: Path, port: int, upstreams: list[int], snippet: Path, deployed: str
) -> str:
    """`deployed`: the text of deploy/nginx.conf, whose upstream options are copied."""
    options, keepalive = deployed_upstream(deployed)
    servers = "\n".join(f"        server 127.0.0.1:{p} {options}".rstrip() + ";" for p in upstreams)
    if keepalive:
        servers += f"\n        {keepalive};"
    return CONFIG.format(folder=folder, port=port, servers=servers, snippet=snippet)


def ensure_nginx() -> str:
    """The nginx binary, installed with apt-get when missing (as root)."""
    found = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else "")
    if found:
        return found
    if not shutil.which("apt-get"):
        raise HarnessError("nginx is not installed and there is no apt-get to install it")
    log("installing nginx with apt-get")
    subprocess.run(["apt-get", "update", "-qq"], check=False, capture_output=True)
    result = subprocess.run(
        ["apt-get", "install", "-y", "-qq", "nginx-light"], capture_output=True, text=True
    )
    if result.returncode != 0:
        raise HarnessError(f"apt-get install nginx-light failed:\n{result.stderr[-2000:]}")
    found = shutil.which("nginx") or "/usr/sbin/nginx"
    if not Path(found).exists():
        raise HarnessError("nginx is still missing after apt-get install")
    return found


def nginx_version(binary: str) -> str:
    result = subprocess.run([binary, "-v"], capture_output=True, text=True)
    return (result.stderr or result.stdout).strip().rpartition("/")[2]
