"""A real Ray cluster of two nodes on this machine, for the tests: a head and a worker started with
``ray start --block`` (dashboard off, one CPU each, their own temporary folders, a token of their own),
each stopped by the process id the test started, together with every process under it.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import psutil

from servers import free_port

RAY = str(Path(sys.executable).parent / "ray")
START_TIMEOUT = 180  # seconds for both nodes to join; a cold start takes ~10 s


@dataclass
class Cluster:
    address: str  # HOST:PORT of the head, as govner's --ray takes it
    env: dict[str, str]  # what a driver needs to join: the cluster's token
    head: subprocess.Popen
    worker: subprocess.Popen
    root: Path


def node_environment() -> dict[str, str]:
    return {
        **os.environ,
        "RAY_AUTH_MODE": "token",  # Ray >= 2.5x refuses unauthenticated nodes; this cluster has its own token
        "RAY_AUTH_TOKEN": secrets.token_hex(32),
        "RAY_USAGE_STATS_ENABLED": "0",
        # a killed node is declared dead after ~5 s rather than ~30 s
        "RAY_health_check_period_ms": "1000",
        "RAY_health_check_timeout_ms": "1000",
        "RAY_health_check_failure_threshold": "5",
    }


def start_node(args: list[str], folder: Path, env: dict[str, str]) -> subprocess.Popen:
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / "node.log").open("w") as log:
        return subprocess.Popen(
            [RAY, "start", "--block", "--num-cpus", "1", "--object-store-memory", str(150 * 1024 * 1024),
             "--temp-dir", str(folder / "tmp"), "--disable-usage-stats", *args],
            stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True,
        )


def alive_nodes(address: str, env: dict[str, str]) -> int:
    """How many nodes the cluster at ``address`` counts as alive (0 if it does not answer)."""
    probe = "import ray; ray.init(address=%r, logging_level='error'); print(sum(n['Alive'] for n in ray.nodes()))"
    done = subprocess.run([sys.executable, "-c", probe % address], capture_output=True, text=True, env=env,
                          timeout=120)
    return int(done.stdout.strip() or 0) if done.returncode == 0 else 0


def wait_for_nodes(cluster: Cluster, count: int) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        for process in (cluster.head, cluster.worker):
            if process.poll() is not None:
                raise RuntimeError(f"ray start exited with {process.returncode}; see the node.log files under "
                                   f"{cluster.root}")
        if alive_nodes(cluster.address, cluster.env) == count:
            return
        time.sleep(2)
    raise RuntimeError(f"the Ray cluster did not reach {count} nodes within {START_TIMEOUT} s")


def start_cluster(root: Path) -> Cluster:
    env = node_environment()
    port = free_port()
    head = start_node(["--head", "--port", str(port), "--include-dashboard", "false"], root / "head", env)
    address = f"127.0.0.1:{port}"
    worker = start_node(["--address", address], root / "worker", env)
    cluster = Cluster(address, env, head, worker, root)
    try:
        wait_for_nodes(cluster, 2)
    except BaseException:
        stop_node(worker)
        stop_node(head)
        raise
    return cluster


def stop_node(process: subprocess.Popen, kill: bool = False) -> None:
    """Stop ``ray start`` and every process under it (Ray's workers run in sessions of their own, so the
    process group is not enough): SIGTERM, SIGKILL after 15 s; ``kill``: SIGKILL at once, a crash."""
    try:
        root = psutil.Process(process.pid)
        tree = [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        tree = []
    for member in tree:
        with contextlib.suppress(psutil.NoSuchProcess):
            member.kill() if kill else member.terminate()
    _, alive = psutil.wait_procs(tree, timeout=15)
    for member in alive:
        with contextlib.suppress(psutil.NoSuchProcess):
            member.kill()
    process.wait(timeout=30)
