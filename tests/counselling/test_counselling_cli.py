"""``labsys prompts``: the category and the ordered prompts, as text or JSON, without a database."""

from __future__ import annotations

import argparse
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from labsys.counselling.cli import add_prompts_command
from labsys.errors import LabsysError

LABSYS = Path(sys.executable).with_name("labsys")


def run(*argv: str) -> str:
    parser = argparse.ArgumentParser(prog="labsys")
    add_prompts_command(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(["prompts", *argv])
    out = io.StringIO()
    assert args.handler(args, out) == 0
    return out.getvalue()


def test_text_output_lists_the_category_then_the_prompts_in_order() -> None:
    text = run("--expected", "heroin", "--found", "heroin, fentanyl")
    assert text.startswith("Result: As expected, with adulterant(s)\n")
    fentanyl = text.index("[substances/fentanyl]")
    heroin = text.index("[substances/heroin]")
    general = text.index("[general/any-result]")
    assert fentanyl < heroin < general
    assert "Naloxone and overdose training" in text
    assert "Questions to open the conversation:" in text
    assert "Sources:" in text


def test_json_output() -> None:
    data = json.loads(run("--expected", "MDMA", "--found", "MDMA", "--purity", "high", "--json"))
    assert data["category"] == "as_expected"
    assert [p["key"] for p in data["prompts"]][:2] == ["purity/high", "substances/mdma"]
    assert data["prompts"][0]["advice"]
    assert data["prompts"][0]["sources"]


def test_empty_found_means_nothing_detected_in_french() -> None:
    text = run("--expected", "cocaïne", "--found", "", "--lang", "fr")
    assert text.startswith("Résultat : Produit attendu non détecté\n")
    assert "Trouvé : Rien de ce que la méthode peut voir" in text


def test_the_category_can_be_given() -> None:
    data = json.loads(
        run("--expected", "heroin", "--found", "heroin", "--category", "inconclusive", "--json")
    )
    assert data["prompts"][0]["key"] == "results/inconclusive"


def test_an_unknown_substance_is_a_labsys_error() -> None:
    with pytest.raises(LabsysError, match="Unknown substance 'stardust'"):
        run("--expected", "cocaine", "--found", "stardust")


def _labsys_has_prompts() -> bool:
    if not LABSYS.exists():
        return False
    result = subprocess.run([LABSYS, "--help"], capture_output=True, text=True, check=False)
    return "prompts" in result.stdout


@pytest.mark.skipif(not _labsys_has_prompts(), reason="the main CLI does not register prompts yet")
def test_through_the_labsys_command() -> None:
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    ok = subprocess.run(
        [LABSYS, "prompts", "--expected", "speed", "--found", "amphetamine,caffeine"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert ok.returncode == 0, ok.stderr
    assert "[adulterants/caffeine]" in ok.stdout
    bad = subprocess.run(
        [LABSYS, "prompts", "--expected", "speed", "--found", "stardust"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert bad.returncode != 0
    assert bad.stderr.strip().count("\n") == 0
    assert "Unknown substance 'stardust'" in bad.stderr
