"""The spent blind stories of rounds 2 to 11 (tests/data/blind_round2_2026_12/author7-12,
tests/data/blind_round3_2026_12/author13-20, tests/data/blind_round4_2026_12/author21-28,
tests/data/blind_round5_2026_12/author29-34, tests/data/blind_round6_2026_12/author35-38,
tests/data/blind_round7_2026_12/author39-44, tests/data/blind_round8_2026_12/author45-50,
tests/data/blind_round9_2026_12/author51-54, tests/data/blind_round10_2026_12/author55-58,
tests/data/blind_round11_2026_12/author59-62): deals
told over several messages by authors who never saw the code, each scored once before any fix (the
folders' READMEs hold those first scores).

Each corpus must hold its floor, set just below what it measured when the round's fixes were done,
so a change that loses a story's facts or its final answer fails here. Run with -s for the misses.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.features import default_knowledge
from bot.story_eval import evaluate, format_report

DATA = Path(__file__).parent / "data"
KB = default_knowledge()

# corpus -> (facts precision, recall, final answers right of 15): floors under what session 7's final
# code measured (after the comment). Authors 7-18 were fixed against by class once scored; authors
# 19-20 were scored once on that code and never fixed against (docs/understanding-measurements.md).
FLOORS = {
    "blind_round2_2026_12/author10": (0.98, 0.87, 14),  # 100.0% / 89.1% / 15
    "blind_round2_2026_12/author11": (0.91, 0.85, 13),  # 93.0% / 86.9% / 14
    "blind_round2_2026_12/author12": (0.92, 0.90, 12),  # 94.2% / 92.5% / 13
    "blind_round2_2026_12/author7": (0.92, 0.90, 14),  # 94.1% / 92.3% / 15
    "blind_round2_2026_12/author8": (0.94, 0.86, 14),  # 95.7% / 88.0% / 15
    "blind_round2_2026_12/author9": (0.93, 0.89, 14),  # 95.5% / 91.3% / 15
    "blind_round3_2026_12/author13": (0.92, 0.94, 14),  # 94.4% / 96.2% / 15
    "blind_round3_2026_12/author14": (0.92, 0.94, 14),  # 94.3% / 96.2% / 15
    "blind_round3_2026_12/author15": (0.85, 0.81, 14),  # 87.3% / 82.8% / 15
    "blind_round3_2026_12/author16": (0.72, 0.68, 14),  # 74.5% / 70.0% / 15
    "blind_round3_2026_12/author17": (0.86, 0.73, 13),  # 88.4% / 74.5% / 14
    "blind_round3_2026_12/author18": (0.87, 0.81, 14),  # 88.5% / 83.1% / 15
    # author19: "no azure plans, no migration" is read now (planned migration: no); the story did
    # not list it, so it counts as an extra against precision (92.3%), and its answer is right.
    "blind_round3_2026_12/author19": (0.91, 0.66, 10),  # 92.3% / 67.9% / 11 (session 8)
    "blind_round3_2026_12/author20": (0.89, 0.79, 10),  # 90.4% / 81.0% / 11 (session 8)
    # Round 4, after its fixes (session 9); the README holds the figures scored before them.
    "blind_round4_2026_12/author21": (0.87, 0.85, 14),  # 89.4% / 87.5% / 15
    "blind_round4_2026_12/author22": (0.89, 0.77, 13),  # 91.5% / 79.6% / 14
    "blind_round4_2026_12/author23": (0.81, 0.82, 14),  # 83.0% / 84.8% / 15
    "blind_round4_2026_12/author24": (0.84, 0.73, 12),  # 86.0% / 75.5% / 13
    "blind_round4_2026_12/author25": (0.87, 0.74, 14),  # 89.7% / 76.1% / 15
    "blind_round4_2026_12/author26": (0.90, 0.75, 11),  # 92.7% / 77.6% / 12
    "blind_round4_2026_12/author27": (0.85, 0.74, 13),  # 87.8% / 76.6% / 14
    "blind_round4_2026_12/author28": (0.83, 0.73, 11),  # 85.1% / 75.5% / 12
    # Round 5, after its fixes (session 9)
    "blind_round5_2026_12/author29": (0.91, 0.91, 14),  # 93.6% / 93.6% / 15
    "blind_round5_2026_12/author30": (0.88, 0.94, 14),  # 90.6% / 96.0% / 15
    "blind_round5_2026_12/author31": (0.75, 0.58, 10),  # 77.4% / 60.0% / 11
    # author32: "the clinicians keep nagging me about Copilot pricing" reads as the sticking point by
    # meaning since session 13 (an extra: 87.8%); its recall rose to 86.0% and its answers to 15.
    "blind_round5_2026_12/author32": (0.87, 0.80, 11),  # 91.1% / 82.0% / 12
    "blind_round5_2026_12/author33": (0.88, 0.91, 13),  # 90.0% / 93.8% / 14
    "blind_round5_2026_12/author34": (0.82, 0.80, 11),  # 84.6% / 82.5% / 12
    # Rounds 6 and 7 (session 10), on the session's final code; 35, 38, 41 and 42 were sealed
    # until scored on it (the READMEs hold every score).
    "blind_round6_2026_12/author35": (0.85, 0.65, 11),  # 87.1% / 67.5% / 12
    "blind_round6_2026_12/author36": (0.98, 0.84, 14),  # 100.0% / 86.2% / 15
    "blind_round6_2026_12/author37": (0.88, 0.86, 13),  # 90.0% / 88.2% / 14
    "blind_round6_2026_12/author38": (0.84, 0.86, 11),  # 86.0% / 88.1% / 12
    "blind_round7_2026_12/author39": (0.90, 0.78, 14),  # 92.3% / 80.0% / 15
    "blind_round7_2026_12/author40": (0.92, 0.85, 14),  # 94.2% / 87.5% / 15
    "blind_round7_2026_12/author41": (0.79, 0.66, 8),  # 81.6% / 68.9% / 9
    "blind_round7_2026_12/author42": (0.89, 0.73, 8),  # 91.3% / 75.0% / 9
    "blind_round7_2026_12/author43": (0.86, 0.84, 11),  # 88.5% / 86.8% / 12
    "blind_round7_2026_12/author44": (0.90, 0.79, 11),  # 92.3% / 81.8% / 12
    # Rounds 8 and 9 (session 11), on the session's final code; 49, 50, 53 and 54 were sealed
    # until scored on it (the READMEs hold every score).
    "blind_round8_2026_12/author45": (0.78, 0.68, 13),  # 80.5% / 70.2% / 14
    "blind_round8_2026_12/author46": (0.85, 0.81, 12),  # 87.2% / 83.7% / 13
    "blind_round8_2026_12/author47": (0.89, 0.83, 12),  # 91.1% / 85.4% / 13
    "blind_round8_2026_12/author48": (0.93, 0.84, 12),  # 95.8% / 86.8% / 13
    "blind_round8_2026_12/author49": (0.83, 0.73, 11),  # 85.1% / 75.5% / 12
    "blind_round8_2026_12/author50": (0.87, 0.82, 10),  # 89.8% / 84.6% / 11
    "blind_round9_2026_12/author51": (0.83, 0.80, 13),  # 85.7% / 82.4% / 14
    "blind_round9_2026_12/author52": (0.88, 0.77, 14),  # 90.5% / 79.2% / 15
    "blind_round9_2026_12/author53": (0.93, 0.73, 10),  # 95.6% / 75.4% / 11
    "blind_round9_2026_12/author54": (0.81, 0.68, 12),  # 83.3% / 70.0% / 13
    # Round 10 (session 12), all four sealed until scored on the session's final code (3fd58cd).
    "blind_round10_2026_12/author55": (0.88, 0.71, 10),  # 90.0% / 73.5% / 11
    "blind_round10_2026_12/author56": (0.93, 0.79, 12),  # 95.7% / 81.8% / 13
    "blind_round10_2026_12/author57": (0.81, 0.73, 11),  # 83.3% / 75.5% / 12
    "blind_round10_2026_12/author58": (0.87, 0.78, 11),  # 89.4% / 80.8% / 12
    # Round 11 (session 13), all four sealed until scored on the session's final code (d44ccfb).
    "blind_round11_2026_12/author59": (0.87, 0.63, 8),  # 89.5% / 65.4% / 9
    "blind_round11_2026_12/author60": (0.89, 0.78, 10),  # 91.4% / 80.3% / 11
    "blind_round11_2026_12/author61": (0.85, 0.77, 11),  # 87.1% / 79.2% / 12
    "blind_round11_2026_12/author62": (0.92, 0.71, 12),  # 94.1% / 73.9% / 13
}
# A story that opens with "new deal: …" rightly starts one of its own: the deal made for it is
# not kept, and that is the coach doing as asked.
STARTS_A_DEAL = {"blind_round11_2026_12/author62": 1}


@pytest.mark.parametrize("corpus", sorted(FLOORS))
def test_stories_hold_their_floor(corpus):
    report = evaluate(DATA / corpus / "stories.yaml", KB)
    print(f"\n-- {corpus}\n{format_report(report)}")
    precision, recall, answers = FLOORS[corpus]
    assert report.precision >= precision, f"{report.precision:.1%}"
    assert report.recall >= recall, f"{report.recall:.1%}"
    assert report.answers_right[0] >= answers, report.answers_right
    stories = len(report.outcomes)
    assert report.deals_kept == (stories - STARTS_A_DEAL.get(corpus, 0), stories)
