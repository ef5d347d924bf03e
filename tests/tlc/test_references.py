"""The reference library loads, validates, and names file and field when something is wrong."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
import yaml

from labsys.errors import ReferenceDataError
from labsys.tlc.references import SubstanceClass, load_library, normalise_name

SHIPPED = Path(__file__).resolve().parents[2] / "reference_spectra"


@pytest.fixture
def library_copy(tmp_path: Path) -> Path:
    """A writable copy of the shipped library, to break on purpose."""
    root = tmp_path / "reference_spectra"
    shutil.copytree(SHIPPED, root)
    return root


def _edit(path: Path, **changes: object) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data.update(changes)
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")


def test_shipped_library_loads_with_its_systems_and_substances() -> None:
    library = load_library(SHIPPED)
    assert {"TA", "TB", "TC", "TL", "TAE", "TAF", "EMA"} <= set(library.systems)
    cocaine = library.substances["cocaine"]
    assert cocaine.substance_class is SubstanceClass.STIMULANT
    assert not cocaine.alarming
    assert library.substances["fentanyl"].alarming
    assert library.substances["codeine"].hrf("TA").hrf == 33


def test_default_path_comes_from_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LABSYS_REFERENCE_DIR", str(SHIPPED))
    assert load_library().path == SHIPPED


@pytest.mark.parametrize(
    ("query", "name"),
    [
        ("Diamorphine", "heroin"),
        ("6-mam", "6-monoacetylmorphine"),
        ("CODÉINE", "codeine"),
        ("  acetaminophen ", "paracetamol"),
        ("ecstasy", "MDMA"),
    ],
)
def test_find_ignores_case_accents_and_spacing(query: str, name: str) -> None:
    found = load_library(SHIPPED).find(query)
    assert found is not None and found.name == name


def test_find_returns_none_for_unknown_names() -> None:
    assert load_library(SHIPPED).find("unobtainium") is None
    assert normalise_name("Lidocaïne") == "lidocaine"


def test_out_of_range_hrf_names_file_and_field(library_copy: Path) -> None:
    path = library_copy / "substances" / "cocaine.yaml"
    _edit(path, rf={"TA": {"hrf": 140, "source": "somewhere, table 1"}})
    with pytest.raises(ReferenceDataError) as error:
        load_library(library_copy)
    message = str(error.value)
    assert message.startswith("reference_spectra/substances/cocaine.yaml: rf.TA.hrf:")
    assert "100" in message


def test_value_without_source_is_refused(library_copy: Path) -> None:
    _edit(library_copy / "substances" / "cocaine.yaml", rf={"TA": {"hrf": 50}})
    with pytest.raises(ReferenceDataError, match=r"cocaine.yaml: rf\.TA\.source"):
        load_library(library_copy)


def test_unknown_class_and_missing_alarm_reason_are_refused(library_copy: Path) -> None:
    path = library_copy / "substances" / "caffeine.yaml"
    _edit(path, **{"class": "vitamin"})
    with pytest.raises(ReferenceDataError, match=r"caffeine.yaml: class:"):
        load_library(library_copy)
    _edit(path, **{"class": "cutting_agent", "alarming": True})
    with pytest.raises(ReferenceDataError, match=r"caffeine.yaml: .*alarming_reason"):
        load_library(library_copy)


def test_wrong_version_and_bad_yaml_are_refused(library_copy: Path) -> None:
    path = library_copy / "systems" / "TA.yaml"
    _edit(path, version=7)
    with pytest.raises(ReferenceDataError, match=r"systems/TA.yaml: version: must be 1"):
        load_library(library_copy)
    path.write_text("code: [unclosed", encoding="utf-8")
    with pytest.raises(ReferenceDataError, match=r"systems/TA.yaml: cannot be read as YAML"):
        load_library(library_copy)


def test_cross_file_contradictions_are_refused(library_copy: Path) -> None:
    _edit(library_copy / "substances" / "atropine.yaml", rf={"TA": {"hrf": 19, "source": "x y z"}})
    with pytest.raises(ReferenceDataError, match=r"TA.yaml: reference_compounds.0.hrf"):
        load_library(library_copy)


def test_unknown_system_and_shared_synonym_are_refused(library_copy: Path) -> None:
    path = library_copy / "substances" / "lidocaine.yaml"
    _edit(path, rf={"ZZ": None})
    with pytest.raises(ReferenceDataError, match=r"lidocaine.yaml: rf.ZZ: unknown solvent system"):
        load_library(library_copy)
    _edit(path, rf={}, synonyms=["novocaine"])
    with pytest.raises(ReferenceDataError, match=r"synonyms: 'novocaine' also names"):
        load_library(library_copy)


def test_lab_measurement_is_preferred_over_literature(library_copy: Path) -> None:
    folder = library_copy / "measured" / "TA"
    folder.mkdir(parents=True)
    measurement = {
        "hrf": 35.0,
        "date": "2026-11-20",
        "plate": "R1",
        "photo_sha256": "a" * 64,
        "amount_ug": 5,
        "visualisation": "uv254",
        "appearance": "dark",
        "colour": [40, 40, 40],
        "integrated_intensity": 2.0,
    }
    document = {"version": 1, "system": "TA", "substance": "codeine"}
    document["measurements"] = [measurement, {**measurement, "hrf": 36.0, "photo_sha256": "b" * 64}]
    (folder / "codeine.yaml").write_text(yaml.safe_dump(document), encoding="utf-8")
    value = load_library(library_copy).substances["codeine"].hrf("TA")
    assert value.lab_measured and value.hrf == 35.5


def test_reference_plate_import_records_and_is_preferred(
    library_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import labsys.tlc.reference_import as reference_import
    from labsys.cli import main
    from labsys.tlc.simulate import SpotSpec, plate_from_spots

    analysis = plate_from_spots([[SpotSpec(40)], [SpotSpec(52, intensity=3), SpotSpec(20)]])
    analysis.lanes[1].profile = np.linspace(0.0, 1.0, 11)
    monkeypatch.setattr(reference_import, "analyse_plate", lambda photo, lanes: analysis)
    photo = library_copy.parent / "plate.jpg"
    photo.write_bytes(b"not really a jpeg")
    layout = library_copy.parent / "layout.json"
    layout.write_text(
        json.dumps(
            {
                "plate_id": "R-1",
                "system": "TA",
                "development_distance_mm": 80,
                "date": "2026-11-20",
                "visualisations": ["uv254"],
                "lanes": [
                    {"index": 0, "sample_code": "S1"},
                    {"index": 1, "reference": {"substance": "Cocaine", "amount_ug": 10}},
                ],
            }
        ),
        encoding="utf-8",
    )
    args = ["references", "import", str(photo), "--layout", str(layout)]
    assert main([*args, "--library", str(library_copy)]) == 0
    measured = yaml.safe_load((library_copy / "measured/TA/cocaine.yaml").read_text())
    (entry,) = measured["measurements"]
    assert entry["hrf"] == 52.0 and entry["plate"] == "R-1" and len(entry["photo_sha256"]) == 64
    assert len(entry["densitogram"]) == 101 and entry["densitogram"][-1] == 1.0
    assert main([*args, "--library", str(library_copy)]) == 0  # same photo: nothing appended
    cocaine = load_library(library_copy).substances["cocaine"]
    assert len(cocaine.measured["TA"].measurements) == 1
    assert cocaine.hrf("TA").lab_measured and cocaine.hrf("TA").hrf == 52.0
