"""Multi-workspace: the OAuth install flow on our database (slack_sdk's SQLAlchemy stores)."""

from __future__ import annotations

import asyncio
import re

from sqlalchemy import inspect, text

from bot.db.engine import create_engine
from bot.db.migrate import downgrade, upgrade
from tests.slack.fakes import command

FORM = "application/x-www-form-urlencoded"
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
