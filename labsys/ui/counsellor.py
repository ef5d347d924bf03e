"""The counsellor's page: open a sample by its code, talk the result through, record, close.

Made for a tablet at the counter: one column, large buttons, the counsellor's language (English or
French, switchable). Everything shown comes from :func:`labsys.results.counsel.counsellor_view`.
"""

from __future__ import annotations

import streamlit as st

from labsys.auth import Actor, Permission
from labsys.counselling.card import render_card_html, render_card_pdf
from labsys.counselling.i18n import t
from labsys.counselling.knowledge import LANGUAGES, Lang, Referral
from labsys.counselling.rules import Prompt
from labsys.db import run_in_transaction
from labsys.errors import LabsysError
from labsys.results.conversation import close_sample, record_conversation
from labsys.results.counsel import CounsellorView, counsellor_view
from labsys.samples import State
from labsys.ui.actions import attempt, flash, seen_version
from labsys.ui.context import engine, require_page, show_error
from labsys.ui.literal import literal

LANGUAGE_NAMES = {"en": "English", "fr": "Français"}
OPEN_PROMPTS = 3
"""The most urgent prompts are shown open; the others one tap away."""


def render() -> None:
    """Code first; then the result, alerts, prompts, the conversation record and the card."""
    actor = require_page(Permission.COUNSEL)
    st.session_state.setdefault("counsel_lang", actor.language)
    lang: Lang = st.radio(
        "Language / Langue",
        LANGUAGES,
        format_func=LANGUAGE_NAMES.__getitem__,
        horizontal=True,
        key="counsel_lang",
    )
    st.title(t("page.title", lang))
    flash()
    code = st.text_input(t("open_sample", lang), placeholder="7K3M-9QXR-T", key="counsel_code")
    if not code.strip():
        st.info(t("scan_hint", lang))
        return
    try:
        view = run_in_transaction(engine(), lambda s: counsellor_view(s, actor, code, lang))
    except LabsysError as error:
        show_error(error)
        return
    _result(view, lang)
    if view.alerts:
        st.subheader(t("alerts", lang))
        for alert in view.alerts:
            st.warning(f"**{literal(alert.title)}** ({alert.published_at:%Y-%m-%d})")
    for index, prompt in enumerate(view.prompts.prompts):
        _prompt(prompt, lang, expanded=index < OPEN_PROMPTS)
    _conversation(actor, view, lang)
    _card(view, lang)


def _result(view: CounsellorView, lang: Lang) -> None:
    st.header(f"{t('result', lang)}{t('colon', lang)}{t(f'category.{view.category}', lang)}")
    st.markdown(f"**{t('sold_as', lang)}**{t('colon', lang)}{literal(view.sold_as)}")
    st.markdown(f"**{t('found', lang)}**")
    if not view.found:
        st.markdown(f"- {t('nothing_found', lang)}")
    for found in view.found:
        st.markdown(
            f"- **{found.plain_name}** — {t(f'kind.{found.kind}', lang)} — "
            f"{t('confidence', lang)}{t('colon', lang)}"
            f"{t(f'confidence.{found.confidence}', lang)}"
        )
    if view.prompts.purity:
        purity = t(f"purity.{view.prompts.purity}", lang)
        st.markdown(f"**{t('purity', lang)}**{t('colon', lang)}{purity}")
    st.info(t("card.caveat", lang))


def _prompt(prompt: Prompt, lang: Lang, *, expanded: bool) -> None:
    with st.expander(prompt.title, expanded=expanded):
        st.markdown(prompt.text)
        for heading, items in (
            ("risks", prompt.risks),
            ("advice", prompt.advice),
            ("questions", prompt.questions),
        ):
            if items:
                st.markdown(f"**{t(heading, lang)}**")
                st.markdown("\n".join(f"- {item}" for item in items))
        st.caption(f"{t('sources', lang)}{t('colon', lang)}" + "; ".join(prompt.sources))


def _conversation(actor: Actor, view: CounsellorView, lang: Lang) -> None:
    st.subheader(t("record_conversation", lang))
    key = f"sample_{view.code}"
    seen = seen_version(key, view.version)
    if view.conversation is not None:
        when = view.conversation.held_at.strftime("%Y-%m-%d %H:%M UTC")
        st.success(t("recorded_on", lang).format(when=when, who=view.conversation.counsellor))
        if view.state is State.REPORTED and st.button(
            t("close_sample", lang), type="primary", width="stretch", key="counsel_close"
        ):
            attempt(
                lambda s: close_sample(s, actor, view.code, expected_version=seen),
                t("close_sample", lang),
                seen=key,
            )
        return
    suggested = view.prompts.referrals
    choices = [*suggested, *(r for r in Referral if r not in suggested)]
    if suggested:
        offers = ", ".join(t(f"referral.{r}", lang) for r in suggested)
        st.markdown(f"**{t('what_to_offer', lang)}**{t('colon', lang)}{offers}")
    with st.form("counsel_conversation"):
        offered_col, accepted_col = st.columns(2)
        offered_col.markdown(f"**{t('referrals_offered', lang)}**")
        accepted_col.markdown(f"**{t('referrals_accepted', lang)}**")
        ticks = {
            referral: (
                offered_col.checkbox(t(f"referral.{referral}", lang), key=f"offered_{referral}"),
                accepted_col.checkbox(t(f"referral.{referral}", lang), key=f"accepted_{referral}"),
            )
            for referral in choices
        }
        close = st.checkbox(t("close_now", lang), value=True, key="counsel_close_now")
        submitted = st.form_submit_button(t("save", lang), type="primary", width="stretch")
    if submitted:
        attempt(
            lambda s: record_conversation(
                s,
                actor,
                view.code,
                language=lang,
                offered=[r for r, (offered, _) in ticks.items() if offered],
                accepted=[r for r, (_, accepted) in ticks.items() if accepted],
                prompt_keys=[p.key for p in view.prompts.prompts],
                close=close,
                expected_version=seen,
            ),
            t("conversation_recorded", lang),
            seen=key,
        )


def _card(view: CounsellorView, lang: Lang) -> None:
    card = view.card()
    st.download_button(
        t("download_card", lang),
        render_card_pdf(card, lang),
        file_name=f"card-{view.code}-{lang}.pdf",
        mime="application/pdf",
        width="stretch",
        key="counsel_card_pdf",
    )
    with st.expander(t("print_card", lang)):
        # The card's HTML escapes every text, and its words come from the knowledge base.
        st.iframe(render_card_html(card, lang), height=640)
