import pytest

from bot.features import default_knowledge


@pytest.fixture(scope="session")
def kb():
    return default_knowledge()
