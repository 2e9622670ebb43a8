"""Store fixtures: a real S3 API (moto's server on 127.0.0.1, never the internet) and a store
location parametrised over a local folder and that S3 server."""

from __future__ import annotations

import logging
import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

DUMMY_AWS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
}


@pytest.fixture(scope="session")
def moto_endpoint() -> Iterator[str]:
    """``http://127.0.0.1:PORT`` of a moto S3 server running for the whole session."""
    pytest.importorskip("s3fs")
    server_module = pytest.importorskip("moto.server")
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    with pytest.MonkeyPatch.context() as patch:
        for name, value in DUMMY_AWS.items():
            patch.setenv(name, value)
        for name in ("AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3"):
            patch.delenv(name, raising=False)
        server = server_module.ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        server.start()
        host, port = server.get_host_and_port()
        try:
            yield f"http://{host}:{port}"
        finally:
            server.stop()


def new_bucket(endpoint: str) -> str:
    """A fresh bucket on the moto server; returns ``s3://bucket/store``."""
    import fsspec

    name = f"investable-{uuid.uuid4().hex[:10]}"
    # the same arguments as the store's, so fsspec reuses one client (creating one takes ~0.5 s)
    fsspec.filesystem("s3", endpoint_url=endpoint, use_listings_cache=False).mkdir(name)
    return f"s3://{name}/store"


@dataclass(frozen=True)
class Where:
    """A store location and the storage options it needs."""

    kind: str
    location: str
    options: dict[str, Any] = field(default_factory=dict)


@pytest.fixture(params=["folder", "s3"])
def where(request: pytest.FixtureRequest, tmp_path) -> Where:
    if request.param == "folder":
        return Where("folder", str(tmp_path / "store"))
    endpoint = request.getfixturevalue("moto_endpoint")
    assert os.environ["AWS_ACCESS_KEY_ID"] == "testing"
    return Where("s3", new_bucket(endpoint), {"endpoint_url": endpoint})


@pytest.fixture
def make_bucket(moto_endpoint: str):
    """A function that makes a fresh bucket and returns its ``s3://bucket/store`` URL."""
    return lambda: new_bucket(moto_endpoint)
