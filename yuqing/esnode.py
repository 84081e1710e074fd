"""A local single-node Elasticsearch, managed for the user (fetch, start, stop, status).

The server is Elastic's integ-test-zip from Maven Central (no bundled JDK, server core only),
cached outside the work tree. As root it runs as an unprivileged system user. Each node keeps its
own config copy, data and logs under one directory, so several nodes (tests, demo) can share one
unpacked distribution. Talks HTTP through urllib only: the client library lives in yuqing.store.
"""

from __future__ import annotations

import base64
import fcntl
import json
import logging
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from yuqing import settings
from yuqing.errors import YuqingError

LOGGER = logging.getLogger(__name__)

ES_USER = "esuser"
CLUSTER_NAME = "yuqing"
MAVEN_ARTIFACT = "org.elasticsearch.distribution.integ-test-zip:elasticsearch:{version}:zip"
MAVEN_PLUGIN = "org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy"
FALLBACK_VERSIONS = ["8.19.9", "8.19.8", "8.19.7", "8.19.5", "8.19.3", "8.19.0"]


class NodeError(YuqingError):
    """The local node could not be fetched, started or stopped."""


class DownloadError(NodeError):
    """Maven could not deliver this version (not published, or not served here)."""


@dataclass
class NodeSpec:
    """Where and how one local node runs."""

    port: int
    home: Path  # node directory: config/, data/, logs/, node.pid
    version: str = "8.19.9"
    pinned: bool = False  # True when the user chose the version (YUQING_ES_VERSION): no fallback
    heap: str = "512m"
    security: bool = False
    users: list[tuple[str, str, str]] = field(default_factory=list)  # (name, password, role)
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid_file(self) -> Path:
        return self.home / "node.pid"

    @property
    def log_file(self) -> Path:
        return self.home / "logs" / f"{CLUSTER_NAME}.log"


def default_spec(port: int | None = None, data_dir: str | Path | None = None) -> NodeSpec:
    port = int(port or settings.get("YUQING_ES_PORT") or 9200)
    base = Path(data_dir).expanduser() if data_dir else settings.data_dir()
    return NodeSpec(
        port=port,
        home=base / f"es-{port}",
        version=settings.get("YUQING_ES_VERSION") or FALLBACK_VERSIONS[0],
        pinned=bool(settings.get("YUQING_ES_VERSION")),
        heap=settings.get("YUQING_ES_HEAP") or "512m",
    )


# ---------------------------------------------------------------- distribution


@contextmanager
def _locked(path: Path):
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def distribution_dir(version: str) -> Path:
    return settings.cache_dir() / "elasticsearch" / f"elasticsearch-{version}"


def fetch(version: str, progress=print, *, fallback: bool = False) -> Path:
    """Download (once) and unpack the distribution; return its home directory.

    With ``fallback`` (the version was not chosen by the user), an already cached 8.19.x is used as is,
    and when Maven cannot deliver ``version`` the older patch releases of FALLBACK_VERSIONS are tried in
    turn: which patch versions a mirror serves is not known in advance.
    """
    if not fallback:
        return _fetch_one(version, progress)
    candidates = [version, *(v for v in FALLBACK_VERSIONS if v != version)]
    for candidate in candidates:
        if (distribution_dir(candidate) / "bin" / "elasticsearch").exists():
            return distribution_dir(candidate)
    failures = []
    for candidate in candidates:
        try:
            return _fetch_one(candidate, progress)
        except DownloadError as error:
            failures.append(f"{candidate}: {str(error).strip().splitlines()[-1]}")
            progress(f"Elasticsearch {candidate} 无法下载，改试下一个版本 …")
    raise NodeError("无法下载任何 8.19.x 版本的 Elasticsearch:\n" + "\n".join(failures),
                    hint="检查 Maven 能否访问软件包仓库；或设置 ES_URL 使用已有集群")


def _fetch_one(version: str, progress) -> Path:
    cache = settings.cache_dir() / "elasticsearch"
    home = cache / f"elasticsearch-{version}"
    if (home / "bin" / "elasticsearch").exists():
        return home
    with _locked(cache / ".lock"):
        if (home / "bin" / "elasticsearch").exists():
            return home
        archive = cache / f"elasticsearch-{version}.zip"
        if not archive.exists():
            _maven_fetch(version, cache, progress)
        if shutil.which("unzip") is None:
            raise NodeError("未找到 unzip 命令", hint="Debian/Ubuntu: apt-get install unzip")
        progress(f"解压 Elasticsearch {version} …")
        staging = cache / f".unpack-{version}-{os.getpid()}"
        shutil.rmtree(staging, ignore_errors=True)
        # unzip keeps the execute bits of bin/ (Python's zipfile drops them).
        result = subprocess.run(["unzip", "-q", str(archive), "-d", str(staging)], capture_output=True, text=True)
        if result.returncode != 0:
            archive.unlink(missing_ok=True)
            raise NodeError(f"解压 {archive} 失败（已删除损坏的文件，请重试）: {result.stderr.strip()[-500:]}")
        (staging / f"elasticsearch-{version}").rename(home)
        shutil.rmtree(staging, ignore_errors=True)
    for tree in (cache, home):
        tree.chmod(0o755)
    return home


def _maven_fetch(version: str, cache: Path, progress) -> None:
    mvn = shutil.which("mvn")
    if mvn is None:
        raise NodeError(
            "未找到 Maven（mvn），无法下载 Elasticsearch",
            hint="Debian/Ubuntu: apt-get install maven；或设置 ES_URL 使用已有集群",
        )
    progress(f"从 Maven Central 下载 Elasticsearch {version}（约 95 MB，仅首次）…")
    command = [mvn, "-B", "-q", MAVEN_PLUGIN, f"-Dartifact={MAVEN_ARTIFACT.format(version=version)}",
               f"-DoutputDirectory={cache}"]
    with tempfile.TemporaryFile("w+") as output:
        process = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT, text=True)
        shown = 0
        while process.poll() is None:
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                size = _maven_download_bytes(version)
                if size >= shown + 5_000_000:  # a line per 5 MB at most, none while Maven resolves plugins
                    shown = size
                    progress(f"  已下载 {size / 1e6:.0f} MB …")
        output.seek(0)
        text = output.read()
    if process.returncode != 0 or not (cache / f"elasticsearch-{version}.zip").exists():
        tail = "\n".join(text.strip().splitlines()[-8:])
        raise DownloadError(
            f"下载 Elasticsearch {version} 失败:\n{tail}",
            hint=f"可设置 YUQING_ES_VERSION 为已发布的 8.19.x 版本（如 {', '.join(FALLBACK_VERSIONS[1:4])}）",
        )


def _maven_download_bytes(version: str) -> int:
    """Bytes Maven has written so far for the distribution in the local repository (its .part file)."""
    folder = (Path(os.environ.get("MAVEN_REPO_LOCAL") or Path.home() / ".m2" / "repository")
              / "org" / "elasticsearch" / "distribution" / "integ-test-zip" / "elasticsearch" / version)
    try:
        return sum(path.stat().st_size for path in folder.iterdir() if path.is_file())
    except OSError:
        return 0


# ---------------------------------------------------------------- java


def find_java(jvm_root: Path = Path("/usr/lib/jvm")) -> Path:
    """A JDK home with Java >= 17 (ES_JAVA_HOME, JAVA_HOME, then `java` on PATH, then /usr/lib/jvm)."""
    candidates: list[Path] = []
    for name in ("ES_JAVA_HOME", "JAVA_HOME"):
        if os.environ.get(name):
            candidates.append(Path(os.environ[name]))
    java = shutil.which("java")
    if java:
        candidates.append(Path(os.path.realpath(java)).parent.parent)
    jvm = jvm_root
    if jvm.is_dir():
        candidates.extend(sorted(p for p in jvm.iterdir() if p.is_dir() and not p.is_symlink()))
    seen = set()
    for home in candidates:
        if home in seen or not (home / "bin" / "java").exists():
            continue
        seen.add(home)
        if _java_major(home) >= 17:
            return home
    raise NodeError(
        "未找到 Java 17 或更高版本（Elasticsearch 8 需要）",
        hint="Debian/Ubuntu: apt-get install openjdk-17-jre-headless；或设置 ES_JAVA_HOME；或设置 ES_URL 使用已有集群",
    )


def _java_major(home: Path) -> int:
    try:
        out = subprocess.run([str(home / "bin" / "java"), "-version"], capture_output=True, text=True,
                             timeout=30).stderr
    except (OSError, subprocess.TimeoutExpired):
        return 0
    match = re.search(r'version "(\d+)(?:\.(\d+))?', out)
    if not match:
        return 0
    major = int(match.group(1))
    return int(match.group(2) or 0) if major == 1 else major


# ---------------------------------------------------------------- http


def _request(url: str, auth: tuple[str, str] | None = None, timeout: float = 5.0) -> tuple[int, dict]:
    request = urllib.request.Request(url)
    if auth:
        token = base64.b64encode(f"{auth[0]}:{auth[1]}".encode()).decode()
        request.add_header("Authorization", f"Basic {token}")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as exc:
        try:
            body = json.loads(exc.read() or b"{}")
        except ValueError:
            body = {}
        return exc.code, body


def health(url: str, auth: tuple[str, str] | None = None, wait: str | None = None) -> dict | None:
    """The cluster health document, or None when nothing answers."""
    query = f"?wait_for_status={wait}&timeout=10s" if wait else ""
    try:
        status, body = _request(f"{url}/_cluster/health{query}", auth, timeout=15 if wait else 5)
    except (OSError, ValueError):
        return None
    return body if status in (200, 408) else {"status": "unauthorized" if status == 401 else f"http {status}"}


def is_healthy(doc: dict | None) -> bool:
    return bool(doc) and doc.get("status") in ("green", "yellow")


def port_open(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# ---------------------------------------------------------------- lifecycle


def running_pid(spec: NodeSpec) -> int | None:
    try:
        pid = int(spec.pid_file.read_text().strip())
    except (OSError, ValueError):
        return None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return None
    except PermissionError:
        return pid
    return pid


def _as_es_user(command: list[str]) -> list[str]:
    if not settings.is_root():
        return command
    return ["runuser", "-u", ES_USER, "--"] + command


def _ensure_es_user() -> None:
    if subprocess.run(["id", ES_USER], capture_output=True).returncode == 0:
        return
    result = subprocess.run(["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", ES_USER],
                            capture_output=True, text=True)
    if result.returncode != 0 and subprocess.run(["id", ES_USER], capture_output=True).returncode != 0:
        raise NodeError(f"无法创建运行 Elasticsearch 的系统用户 {ES_USER}: {result.stderr.strip()}")


def _prepare_home(spec: NodeSpec, dist: Path, java: Path) -> dict[str, str]:
    for sub in ("data", "logs"):
        (spec.home / sub).mkdir(parents=True, exist_ok=True)
    config = spec.home / "config"
    if not (config / "jvm.options").exists():
        shutil.copytree(dist / "config", config, dirs_exist_ok=True)
    env = dict(os.environ, ES_JAVA_HOME=str(java), ES_PATH_CONF=str(config),
               ES_JAVA_OPTS=f"-Xms{spec.heap} -Xmx{spec.heap}", ES_TMPDIR=str(spec.home / "tmp"))
    (spec.home / "tmp").mkdir(exist_ok=True)
    env.pop("JAVA_TOOL_OPTIONS", None)
    if settings.is_root():
        _ensure_es_user()
        subprocess.run(["chown", "-R", f"{ES_USER}:", str(spec.home)], check=True)
        probe = subprocess.run(_as_es_user(["test", "-w", str(spec.home / "data")]))
        if probe.returncode != 0:
            raise NodeError(
                f"系统用户 {ES_USER} 无法访问数据目录 {spec.home}（上级目录权限不足）",
                hint="用 --data-dir 或 YUQING_DATA_DIR 指定一个其他用户可进入的目录，如 /var/lib/yuqing",
            )
    for name, password, role in spec.users:
        users_bin = dist / "bin" / "elasticsearch-users"
        subprocess.run(_as_es_user([str(users_bin), "userdel", name]), env=env, capture_output=True)
        result = subprocess.run(_as_es_user([str(users_bin), "useradd", name, "-p", password, "-r", role]),
                                env=env, capture_output=True, text=True)
        if result.returncode != 0:
            raise NodeError(f"创建 Elasticsearch 用户 {name} 失败: {(result.stdout + result.stderr).strip()[-400:]}")
    return env


def start(spec: NodeSpec, timeout: float = 240.0, progress=print) -> str:
    """Start the node if it is not running; return its URL once healthy. Idempotent."""
    auth = (spec.users[0][0], spec.users[0][1]) if spec.users else None
    if running_pid(spec) and is_healthy(health(spec.url, auth)):
        return spec.url
    if port_open(spec.port) and not running_pid(spec):
        doc = health(spec.url, auth)
        owner = f"（一个 Elasticsearch，状态 {doc.get('status')}）" if doc else ""
        raise NodeError(
            f"端口 {spec.port} 已被其他程序占用{owner}",
            hint="用 --port 或 YUQING_ES_PORT 换一个端口；若那是你要用的集群，设置 ES_URL 指向它",
        )
    java = find_java()
    dist = fetch(spec.version, progress, fallback=not spec.pinned)
    env = _prepare_home(spec, dist, java)
    if not running_pid(spec):
        args = [str(dist / "bin" / "elasticsearch"), "-d", "-p", str(spec.pid_file),
                "-E", "discovery.type=single-node", "-E", "network.host=127.0.0.1",
                "-E", f"http.port={spec.port}", "-E", f"cluster.name={CLUSTER_NAME}",
                "-E", f"path.data={spec.home / 'data'}", "-E", f"path.logs={spec.home / 'logs'}",
                "-E", "cluster.routing.allocation.disk.threshold_enabled=false",
                "-E", "transport.port=0",
                "-E", f"xpack.security.enabled={'true' if spec.security else 'false'}"]
        for key, value in spec.extra.items():
            args += ["-E", f"{key}={value}"]
        progress(f"启动 Elasticsearch {spec.version}（端口 {spec.port}，数据 {spec.home}）…")
        result = subprocess.run(_as_es_user(args), env=env, cwd=str(spec.home), capture_output=True, text=True)
        if result.returncode != 0:
            raise NodeError(
                f"Elasticsearch 启动失败（退出码 {result.returncode}）:\n"
                f"{(result.stdout + result.stderr).strip()[-1500:]}\n--- 日志末尾 {spec.log_file} ---\n{log_tail(spec)}"
            )
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        doc = health(spec.url, auth, wait="yellow")
        if is_healthy(doc):
            return spec.url
        if not running_pid(spec) and not port_open(spec.port):
            time.sleep(1)
            if not running_pid(spec):
                raise NodeError(f"Elasticsearch 进程已退出，未能启动。日志末尾 {spec.log_file}:\n{log_tail(spec)}")
        time.sleep(1)
    raise NodeError(f"Elasticsearch 在 {timeout:.0f} 秒内未就绪。日志末尾 {spec.log_file}:\n{log_tail(spec)}")


def log_tail(spec: NodeSpec, lines: int = 25) -> str:
    try:
        text = spec.log_file.read_text(errors="replace").splitlines()
    except OSError:
        return "（没有日志）"
    return "\n".join(line[:400] for line in text[-lines:])


def stop(spec: NodeSpec, timeout: float = 60.0) -> bool:
    """Stop the node; True if it was running."""
    pid = running_pid(spec)
    if pid is None:
        return False
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if running_pid(spec) is None:
            break
        time.sleep(0.3)
    else:
        os.kill(pid, signal.SIGKILL)
        time.sleep(0.5)
    spec.pid_file.unlink(missing_ok=True)
    return True
