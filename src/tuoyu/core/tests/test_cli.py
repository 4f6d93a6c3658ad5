"""`tuoyu` console script and `python -m tuoyu` are manage.py with our commands."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

COMMANDS = ["issue_token", "demo_accounts", "seed", "audit_verify", "load_regions"]


@pytest.mark.parametrize(
    "argv",
    [
        [sys.executable, "-m", "tuoyu", "help"],
        [str(Path(sys.executable).with_name("tuoyu")), "help"],
    ],
    ids=["python -m tuoyu", "tuoyu"],
)
def test_entry_points_list_our_commands(argv, tmp_path):
    if not Path(argv[0]).exists() and shutil.which(argv[0]) is None:
        pytest.fail(f"{argv[0]} 未安装：pip install -e . 应生成 tuoyu 命令")
    env = {**os.environ, "TUOYU_VAR_DIR": str(tmp_path)}
    env.pop("DATABASE_URL", None)
    out = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=120, check=True)
    for command in COMMANDS:
        assert command in out.stdout
