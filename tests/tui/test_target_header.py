"""How the header fits the fleet file's path into what room is left on narrow screens."""

from ownstack_tui.tui.widgets.target_header import fit_path

PATH = "~/work/clients/acme/infra/fleets/prod-fleet.toml"


def test_a_path_that_fits_is_shown_whole() -> None:
    assert fit_path(PATH, 100) == PATH


def test_a_long_path_keeps_its_end_from_a_folder_boundary() -> None:
    assert fit_path(PATH, 25) == "…/fleets/prod-fleet.toml"
    assert fit_path(PATH, 17) == "…/prod-fleet.toml"


def test_a_file_name_that_does_not_fit_keeps_its_start() -> None:
    assert fit_path(PATH, 12) == "prod-fleet.…"
    assert len(fit_path(PATH, 3)) == 3
