"""Full garbage collections in moto skip the objects that survived an earlier one."""

import gc
import importlib.util
import weakref

import pytest

from conftest import REPOSITORY_ROOT

LAUNCHER_PATH = REPOSITORY_ROOT / "sandbox" / "src" / "moto_launcher.py"


class Node:
    """An object that can refer to itself, so only the cycle collector frees it."""


@pytest.fixture
def frozen_after_full_collections():
    spec = importlib.util.spec_from_file_location("moto_launcher", LAUNCHER_PATH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)

    gc.unfreeze()
    callback = module.freeze_survivors_of_full_collections()
    yield
    gc.callbacks.remove(callback)
    gc.unfreeze()


def test_full_collection_freezes_survivors(frozen_after_full_collections):
    stored = [{"PK": {"S": f"link#{number}"}} for number in range(10_000)]

    gc.collect()

    scanned = {id(candidate) for candidate in gc.get_objects(generation=2)}
    assert gc.get_freeze_count() >= len(stored)
    assert id(stored) not in scanned
    assert id(stored[0]) not in scanned


def test_later_cycles_still_collected(frozen_after_full_collections):
    gc.collect()
    node = Node()
    node.itself = node
    watcher = weakref.ref(node)

    del node
    gc.collect()

    assert watcher() is None
