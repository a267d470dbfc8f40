"""The backend suite (tests/backend_suite.py) on every search backend: the local index folder and Milvus Lite."""

from __future__ import annotations

import importlib.util

import pytest
from backend_suite import ALL

_MILVUS_MISSING = next((name for name in ("pymilvus", "milvus_lite") if importlib.util.find_spec(name) is None), None)
needs_milvus = pytest.mark.skipif(_MILVUS_MISSING is not None, reason=f"{_MILVUS_MISSING} is not installed: pip install -e '.[milvus]'")


class TestLocalBackend(*ALL):  # type: ignore[misc]
    @pytest.fixture(scope="class")
    @classmethod
    def backend(cls) -> str:
        return "local"


@needs_milvus
class TestMilvusLiteBackend(*ALL):  # type: ignore[misc]
    @pytest.fixture(scope="class")
    @classmethod
    def backend(cls) -> str:
        return "milvus"
