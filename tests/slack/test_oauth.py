"""Multi-workspace: the OAuth install flow on our database (slack_sdk's SQLAlchemy stores)."""

from __future__ import annotations

import asyncio
import re

import pytest
from sqlalchemy import inspect, text

from adapters.slack.mount import BOLT
from bot.db.engine import create_engine
from bot.db.migrate import downgrade, upgrade
from tests.slack.fakes import command, event

FORM = "application/x-www-form-urlencoded"
JSON = "application/json"
OAUTH = {"SLACK_BOT_TOKEN": None, "SLACK_CLIENT_ID": "111.222", "SLACK_CLIENT_SECRET": "client-secret"}


async def test_install_then_the_new_workspace_is_served_with_its_own_token(start_slack, db_url, fake):
    slack = await start_slack(db_url, **OAUTH)
    async with slack.session.get(slack.server.make_url("/slack/install"), allow_redirects=False) as resp:
        page = await resp.text()
        assert resp.status == 200
    state = re.search(r"state=([0-9a-f-]+)", page).group(1)
    async with slack.rt.engine.connect() as conn:
        assert (await conn.execute(text("SELECT count(*) FROM slack_oauth_states"))).scalar() == 1
    async with slack.session.get(
        slack.server.make_url("/slack/oauth_redirect"),
        params={"code": "c0de", "state": state},
        headers={"Cookie": f"slack-app-oauth-state={state}"},  # the cookie is Secure; sent by hand here
        allow_redirects=False,
    ) as resp:
        assert resp.status == 200
    assert fake.of("oauth.v2.access")[0]["code"] == "c0de"
    async with slack.rt.engine.connect() as conn:
        row = (await conn.execute(text("SELECT team_id, bot_token FROM slack_bots"))).one()
        assert tuple(row) == ("T9", "xoxb-installed-T9")
        assert (await conn.execute(text("SELECT count(*) FROM slack_oauth_states"))).scalar() == 0

    await slack.post(command("help", team="T9"), FORM)
    await fake.wait_for("chat.postMessage")
    assert [c.token for c in fake.calls if c.method == "chat.postMessage"] == ["xoxb-installed-T9"]
    # A workspace that never installed the app gets no turn.
    await slack.post(command("help", team="T8"), FORM)
    await asyncio.sleep(0.3)
    assert len(slack.done) == 1


async def _tables(url: str) -> set[str]:
    engine = create_engine(url)
    async with engine.connect() as conn:
        names = await conn.run_sync(lambda c: set(inspect(c).get_table_names()))
    await engine.dispose()
    return {n for n in names if n.startswith("slack_")}


async def test_the_slack_migration_upgrades_and_downgrades(db_url):
    wanted = {"slack_installations", "slack_bots", "slack_oauth_states"}
    assert await _tables(db_url) == wanted
    await asyncio.to_thread(downgrade, db_url, "0001")
    assert await _tables(db_url) == set()
    await asyncio.to_thread(upgrade, db_url)
    assert await _tables(db_url) == wanted


async def _install(slack) -> None:
    async with slack.session.get(slack.server.make_url("/slack/install"), allow_redirects=False) as resp:
        state = re.search(r"state=([0-9a-f-]+)", await resp.text()).group(1)
    async with slack.session.get(
        slack.server.make_url("/slack/oauth_redirect"),
        params={"code": "c0de", "state": state},
        headers={"Cookie": f"slack-app-oauth-state={state}"},
        allow_redirects=False,
    ) as resp:
        assert resp.status == 200


async def _rows(slack) -> tuple[int, int]:
    async with slack.rt.engine.connect() as conn:
        bots = (await conn.execute(text("SELECT count(*) FROM slack_bots WHERE team_id = 'T9'"))).scalar()
        inst = (
            await conn.execute(text("SELECT count(*) FROM slack_installations WHERE team_id = 'T9'"))
        ).scalar()
    return bots, inst


REVOKED = {
    "app_uninstalled": {"type": "app_uninstalled"},
    "tokens_revoked": {"type": "tokens_revoked", "tokens": {"oauth": [], "bot": ["UBOT9"]}},
}


@pytest.mark.parametrize("kind", sorted(REVOKED))
async def test_uninstall_or_revocation_forgets_the_workspace(start_slack, db_url, fake, kind):
    slack = await start_slack(db_url, **OAUTH)
    await _install(slack)
    await slack.post(command("help", team="T9"), FORM)  # served, and its installation now cached
    await fake.wait_for("chat.postMessage")
    cached = slack.server.app[BOLT].installation_store
    assert await _rows(slack) == (1, 1) and cached.installations
    resp = await slack.post(event(REVOKED[kind], team="T9", event_id=f"Ev-{kind}"), JSON)
    assert resp.status == 200
    async with asyncio.timeout(10):
        while await _rows(slack) != (0, 0):  # noqa: ASYNC110 (polling the database)
            await asyncio.sleep(0.02)
    assert not cached.installations and not cached.bots  # nothing of theirs left in memory
    await slack.post(command("help", team="T9"), FORM)
    await asyncio.sleep(0.3)
    assert len(slack.done) == 1  # the first command only: the workspace gets no more turns
    assert len(fake.of("chat.postMessage")) == 1


async def test_cached_installations_expire_so_other_processes_notice(db_url):
    from slack_sdk.oauth.installation_store.models.installation import Installation

    from adapters.slack.installs import TtlInstallationStore

    class Counting:
        logger = None
        finds = 0

        async def async_find_installation(self, **kw):
            Counting.finds += 1
            return Installation(user_id="U9", team_id="T9", bot_token="xoxb-x")

    now = [100.0]
    store = TtlInstallationStore(Counting(), ttl=30, clock=lambda: now[0])  # type: ignore[arg-type]
    for _ in range(3):
        await store.async_find_installation(enterprise_id=None, team_id="T9")
    assert Counting.finds == 1
    now[0] += 31
    await store.async_find_installation(enterprise_id=None, team_id="T9")
    assert Counting.finds == 2
