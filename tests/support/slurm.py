"""A single-node Slurm cluster on this machine, from Debian's packages (``slurm-wlm``, ``munge``), for tests and
``bench/scale.py``: munge for authentication, slurmctld and slurmd as root with a configuration of their own
in a temporary folder (their own ports, state and logs), so nothing system-wide is changed but a running
munged. ``.ci/run`` installs the packages.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

CPUS = 4  # slots declared for the node (config_overrides): three array tasks run at once on two cores

CONF = """ClusterName=stt
SlurmctldHost={host}
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
StateSaveLocation={root}/state
SlurmdSpoolDir={root}/spool
SlurmctldPidFile={root}/slurmctld.pid
SlurmdPidFile={root}/slurmd.pid
SlurmctldPort=16917
SlurmdPort=16918
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SchedulerType=sched/builtin
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SlurmdParameters=config_overrides
ReturnToService=2
MpiDefault=none
SlurmctldLogFile={root}/slurmctld.log
SlurmdLogFile={root}/slurmd.log
NodeName={host} CPUs={cpus} RealMemory=8000 State=UNKNOWN
PartitionName=stt Nodes=ALL Default=YES MaxTime=INFINITE State=UP
"""


def available() -> str | None:
    """Why a local cluster cannot be started here, or ``None`` when it can."""
    missing = [t for t in ("slurmctld", "slurmd", "sbatch", "munged") if shutil.which(t) is None]
    if missing:
        return f"Slurm is not installed ({', '.join(missing)}): apt-get install slurm-wlm munge"
    if os.geteuid() != 0:
        return "the local Slurm daemons run as root"
    return None


@contextlib.contextmanager
def local_cluster(root: Path) -> Iterator[dict[str, str]]:
    """Start munged (if not running), slurmctld and slurmd; yield the environment for ``sbatch``; stop them."""
    for folder in ("state", "spool"):
        (root / folder).mkdir(parents=True, exist_ok=True)
    conf = root / "slurm.conf"
    conf.write_text(CONF.format(host=socket.gethostname(), root=root, cpus=CPUS))
    env = {**os.environ, "SLURM_CONF": str(conf)}
    _start_munge()
    subprocess.run(["slurmctld", "-f", str(conf)], check=True, env=env)
    subprocess.run(["slurmd", "-f", str(conf)], check=True, env=env)
    try:
        _wait_idle(env, root)
        yield env
    finally:
        for pid_file in ("slurmd.pid", "slurmctld.pid"):
            with contextlib.suppress(OSError, ValueError):
                os.kill(int((root / pid_file).read_text()), signal.SIGTERM)


def _start_munge() -> None:
    if subprocess.run(["pgrep", "-x", "munged"], capture_output=True).returncode == 0:
        return
    run = Path("/run/munge")
    run.mkdir(parents=True, exist_ok=True)
    shutil.chown(run, "munge", "munge")
    subprocess.run(["runuser", "-u", "munge", "--", "/usr/sbin/munged"], check=True)


def _wait_idle(env: dict[str, str], root: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        state = subprocess.run(["sinfo", "-h", "-o", "%t"], capture_output=True, text=True, env=env).stdout
        if state.strip() == "idle":
            return
        time.sleep(0.5)
    logs = "".join(p.read_text()[-2000:] for p in root.glob("*.log"))
    raise RuntimeError(f"the local Slurm node did not become idle:\n{logs}")
