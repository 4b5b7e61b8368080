import pytest

from bot.knowledge import default_knowledge


@pytest.fixture(scope="session")
def kb():
    return default_knowledge()
