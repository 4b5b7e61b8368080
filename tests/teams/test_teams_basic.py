"""Activities through the real /api/messages endpoint, JWT on, replies recorded by a loopback connector."""

from __future__ import annotations

from tests.teams.conftest import APP_ID, TENANT_A, TENANT_B, Bot, card_of, card_text, message


async def test_personal_message_gets_a_card_reply(bot: Bot) -> None:
    status, _ = await bot.post(message(bot.connector, "deal new Woodgrove EA renewal"))
    assert status == 202
    (sent,) = bot.connector.messages
    card = card_of(sent)
    assert "Woodgrove EA renewal" in card_text(card)
    assert "Woodgrove EA renewal" in card["fallbackText"]
    assert bot.connector.auth_headers[-1] == "Bearer outgoing-token"
    assert bot.connector.posts[-1]["conversation"] == "a:personal-1"


async def test_channel_mention_is_stripped(bot: Bot) -> None:
    act = message(
        bot.connector,
        "deal new Contoso MACC",
        conversation="19:chan@thread.tacv2;messageid=7",
        kind="channel",
        mention=True,
    )
    status, _ = await bot.post(act)
    assert status == 202
    text = card_text(card_of(bot.connector.messages[-1]))
    assert "Contoso MACC" in text and "Deal Coach" not in text
    # a new thread in the same channel sees the channel's active deal
    status, _ = await bot.post(
        message(
            bot.connector,
            "deal show",
            conversation="19:chan@thread.tacv2;messageid=9",
            kind="channel",
            mention=True,
        )
    )
    assert "Contoso MACC" in card_text(card_of(bot.connector.messages[-1]))


async def test_group_chat_message(bot: Bot) -> None:
    await bot.post(message(bot.connector, "help", conversation="19:group@thread.v2", kind="groupChat"))
    card = card_of(bot.connector.messages[-1])
    assert card["type"] == "AdaptiveCard" and card["body"]


async def test_welcome_when_bot_added(bot: Bot) -> None:
    act = message(bot.connector, "")
    act.update(type="conversationUpdate", membersAdded=[{"id": f"28:{APP_ID}"}])
    del act["text"]
    status, _ = await bot.post(act)
    assert status == 202
    assert "Deal Coach" in card_text(card_of(bot.connector.messages[-1]))
    # someone else joining gets no welcome
    other = dict(act, id="other-join", membersAdded=[{"id": "29:someone"}])
    await bot.post(other)
    assert len(bot.connector.messages) == 1


async def test_undo_button_via_action_execute_returns_updated_card(bot: Bot) -> None:
    await bot.post(message(bot.connector, "deal new Woodgrove EA renewal"))
    await bot.post(message(bot.connector, "note: CFO wants a call before Friday"))
    card = card_of(bot.connector.messages[-1])
    (undo,) = [a for a in card["actions"] if a["title"] == "Undo"]
    assert undo["type"] == "Action.Execute" and undo["verb"] == "undo" and undo["data"]["intent"] == "undo"
    invoke = message(bot.connector, "")
    invoke.update(
        type="invoke",
        name="adaptiveCard/action",
        value={
            "action": {"type": "Action.Execute", "verb": undo["verb"], "data": undo["data"]},
            "trigger": "manual",
        },
    )
    del invoke["text"]
    status, body = await bot.post(invoke)
    assert status == 200
    assert body["statusCode"] == 200 and body["type"] == "application/vnd.microsoft.card.adaptive"
    new_card = body["value"]
    assert "Undone" in card_text(new_card)
    assert not any(a.get("verb") == "undo" for a in new_card.get("actions", []))  # the used button is gone
    # the same invoke resent (same activity id) does not undo twice
    status, body = await bot.post(invoke)
    assert status == 200 and "Already done" in card_text(body["value"])


async def test_action_submit_value_runs_an_action_turn(bot: Bot) -> None:
    await bot.post(message(bot.connector, "deal new Woodgrove EA renewal"))
    await bot.post(message(bot.connector, "note: first note"))
    card = card_of(bot.connector.messages[-1])
    (undo,) = [a for a in card["actions"] if a["title"] == "Undo"]
    status, _ = await bot.post(message(bot.connector, "", value=undo["data"]))
    assert status == 202
    assert "Undone" in card_text(card_of(bot.connector.messages[-1]))


async def test_resend_same_activity_id_one_reply(bot: Bot) -> None:
    act = message(bot.connector, "deal new Woodgrove EA renewal", activity_id="dup-1")
    assert (await bot.post(act))[0] == 202
    assert (await bot.post(act))[0] == 202
    assert len(bot.connector.messages) == 1


async def test_429_then_success(bot: Bot) -> None:
    bot.connector.fail_next = [429, 503]
    status, _ = await bot.post(message(bot.connector, "help"))
    assert status == 202
    assert bot.connector.attempts == 3 and len(bot.connector.messages) == 1


async def test_schema_invalid_activity_is_400(bot: Bot) -> None:
    bad = message(bot.connector, "help")
    bad["conversation"] = "not-an-object"
    assert (await bot.post(bad))[0] == 400
    no_conv = message(bot.connector, "help")
    del no_conv["conversation"]
    assert (await bot.post(no_conv))[0] == 400
    async with bot.session.post(
        bot.url,
        data=b"{nope",
        headers={"Authorization": f"Bearer {bot.issuer.token()}", "Content-Type": "application/json"},
    ) as r:
        assert r.status == 400
    assert bot.connector.messages == []


async def test_service_url_not_allowed_is_rejected_without_a_call(bot: Bot) -> None:
    for url in (
        "https://evil.example.com/",
        "https://botframework.com.evil.net/",
        "http://smba.trafficmanager.net/",
    ):
        act = message(bot.connector, "deal new Woodgrove EA renewal")
        act["serviceUrl"] = url
        status, _ = await bot.post(act)
        assert status == 403
    assert bot.connector.attempts == 0 and bot.connector.tokens_issued == 0


def test_service_url_allow_list() -> None:
    from adapters.teams.security import service_url_allowed

    assert service_url_allowed("https://smba.trafficmanager.net/emea/")
    assert service_url_allowed("https://europe.webchat.botframework.com/")
    assert service_url_allowed("https://x.teams.microsoft.com/")
    assert not service_url_allowed("http://127.0.0.1:9/")
    assert service_url_allowed("http://127.0.0.1:9/", allow_loopback=True)
    assert not service_url_allowed("https://user:pw@smba.trafficmanager.net/")
    assert not service_url_allowed("https://evilbotframework.com/")


async def test_tenant_isolation_and_allow_list(bot: Bot) -> None:
    await bot.post(message(bot.connector, "deal new Woodgrove EA renewal", tenant=TENANT_A))
    await bot.post(message(bot.connector, "deal list", tenant=TENANT_B, conversation="a:personal-b"))
    assert "Woodgrove" not in card_text(card_of(bot.connector.messages[-1]))
    await bot.post(
        message(bot.connector, "deal use Woodgrove EA renewal", tenant=TENANT_B, conversation="a:personal-b")
    )
    assert "don't know" in card_text(card_of(bot.connector.messages[-1]))
    n = len(bot.connector.messages)
    status, _ = await bot.post(
        message(bot.connector, "deal list", tenant="33333333-3333-3333-3333-333333333333")
    )
    assert status == 403 and len(bot.connector.messages) == n


async def test_deals_is_the_tenants_portfolio_as_a_card(bot: Bot) -> None:
    await bot.post(message(bot.connector, "deal new Woodgrove EA renewal", tenant=TENANT_A))
    await bot.post(message(bot.connector, "set renewal date: 2099-06-30", tenant=TENANT_A))
    await bot.post(message(bot.connector, "deal new Contoso Azure MACC", tenant=TENANT_A))
    other = message(bot.connector, "deal new Fabrikam EA", tenant=TENANT_B, conversation="a:personal-b")
    await bot.post(other)
    await bot.post(message(bot.connector, "deals", tenant=TENANT_A))
    shown = card_text(card_of(bot.connector.messages[-1]))
    assert "2 deals:" in shown and "Most urgent first" in shown
    assert shown.index("Woodgrove EA renewal") < shown.index("Contoso Azure MACC")
    assert "renews 30 Jun 2099" in shown and "renewal date not known (listed last)" in shown
    assert "Fabrikam" not in shown
