"""Themes as data: every ``themes/*.toml`` becomes a Textual theme; lvstui-dark is the default."""

from __future__ import annotations

import tomllib
from pathlib import Path

from textual.theme import Theme

THEMES_DIR = Path(__file__).resolve().parents[2] / "themes"
DEFAULT_THEME = "lvstui-dark"


def load_themes(directory: Path = THEMES_DIR) -> list[Theme]:
    themes = []
    for path in sorted(directory.glob("*.toml")):
        with open(path, "rb") as fh:
            themes.append(Theme(**tomllib.load(fh)))
    return themes


def register_themes(app) -> None:
    for theme in load_themes():
        app.register_theme(theme)
    if DEFAULT_THEME in app.available_themes:
        app.theme = DEFAULT_THEME
