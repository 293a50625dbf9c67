"""Themes as data: every ``themes/*.toml`` becomes a Textual theme; lvstui-dark is the default."""

from __future__ import annotations

import tomllib
from importlib.resources import files
from pathlib import Path

from textual.theme import Theme

DEFAULT_THEME = "lvstui-dark"


def themes_dir():
    """``themes/``: installed as the package data ``lvstui.themes`` (a zipapp, a wheel), or
    beside the package in a source tree."""
    try:
        return files("lvstui.themes")
    except ModuleNotFoundError:
        return Path(__file__).resolve().parents[2] / "themes"


def load_themes(directory=None) -> list[Theme]:
    themes = []
    source = directory or themes_dir()
    for path in sorted((p for p in source.iterdir() if p.name.endswith(".toml")),
                       key=lambda p: p.name):
        with path.open("rb") as fh:
            themes.append(Theme(**tomllib.load(fh)))
    return themes


def register_themes(app) -> None:
    for theme in load_themes():
        app.register_theme(theme)
    if DEFAULT_THEME in app.available_themes:
        app.theme = DEFAULT_THEME
