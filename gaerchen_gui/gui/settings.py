"""What the explorer remembers between runs, in one QSettings store.

Keys are named here only. Tests and the self-test pass their own QSettings (an
INI file in a temporary folder) so they never touch the user's settings.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings

ORGANIZATION = "Gaerchen"
APPLICATION = "Gaerchen"
MAX_RECENT = 8


class Settings:
    def __init__(self, store: QSettings | None = None) -> None:
        self.store = store if store is not None else QSettings(ORGANIZATION, APPLICATION)

    @classmethod
    def in_file(cls, path: str | Path) -> Settings:
        return cls(QSettings(str(path), QSettings.Format.IniFormat))

    # -- raw access with types that survive the INI and native back ends ---------------
    def _bytes(self, key: str) -> QByteArray | None:
        value = self.store.value(key)
        return value if isinstance(value, QByteArray) and not value.isEmpty() else None

    def _strings(self, key: str) -> list[str]:
        value = self.store.value(key, [])
        if isinstance(value, str):  # QSettings gives a one-element list back as a plain string
            value = [value]
        return [str(v) for v in value or [] if v]

    def flag(self, name: str, default: bool) -> bool:
        value = self.store.value(f"toggles/{name}", default)
        if isinstance(value, str):  # INI files give "true"/"false"
            return value.lower() in ("true", "1", "yes")
        return bool(value)

    def set_flag(self, name: str, value: bool) -> None:
        self.store.setValue(f"toggles/{name}", bool(value))

    # -- window layout -----------------------------------------------------------------
    @property
    def geometry(self) -> QByteArray | None:
        return self._bytes("window/geometry")

    @geometry.setter
    def geometry(self, value: QByteArray) -> None:
        self.store.setValue("window/geometry", value)

    @property
    def window_state(self) -> QByteArray | None:
        return self._bytes("window/state")

    @window_state.setter
    def window_state(self, value: QByteArray) -> None:
        self.store.setValue("window/state", value)

    @property
    def splitter_state(self) -> QByteArray | None:
        return self._bytes("window/splitter")

    @splitter_state.setter
    def splitter_state(self, value: QByteArray) -> None:
        self.store.setValue("window/splitter", value)

    # -- the model shown last: "ae", "vae" or a checkpoint path --------------------------
    @property
    def last_model(self) -> str | None:
        value = self.store.value("model/last")
        return str(value) if value else None

    @last_model.setter
    def last_model(self, value: str) -> None:
        self.store.setValue("model/last", value)

    # -- recent files -------------------------------------------------------------------
    @property
    def recent_files(self) -> list[str]:
        value = self.store.value("files/recent", [])
        if isinstance(value, str):  # QSettings returns a lone string for a one-item list
            value = [value]
        return [str(v) for v in (value or []) if v]

    def add_recent_file(self, path: str | Path) -> None:
        path = str(Path(path).resolve())
        files = [path] + [f for f in self.recent_files if f != path]
        self.store.setValue("files/recent", files[:MAX_RECENT])

    def clear_recent_files(self) -> None:
        self.store.setValue("files/recent", [])

    @property
    def last_directory(self) -> str:
        return str(self.store.value("files/last_directory", "") or "")

    @last_directory.setter
    def last_directory(self, value: str | Path) -> None:
        self.store.setValue("files/last_directory", str(value))

    # -- sampling ------------------------------------------------------------------------
    @property
    def sample_count(self) -> int | None:
        try:
            value = int(self.store.value("samples/count", 0))
        except (TypeError, ValueError):
            return None
        return value if value > 0 else None

    @sample_count.setter
    def sample_count(self, value: int) -> None:
        self.store.setValue("samples/count", int(value))

    # -- decoded manifold ------------------------------------------------------------------
    def manifold_values(self) -> dict[str, object]:
        """What the manifold controls were set to: ``opacity`` (float), ``resolution`` (int), ``spacing`` (str);
        keys that were never saved or do not parse are left out."""
        parsers = {"opacity": float, "resolution": int, "spacing": str}
        values: dict[str, object] = {}
        for key, parse in parsers.items():
            raw = self.store.value(f"manifold/{key}")
            if raw is None:
                continue
            try:
                values[key] = parse(raw)
            except (TypeError, ValueError):
                continue
        return values

    def set_manifold_values(self, opacity: float, resolution: int, spacing: str) -> None:
        self.store.setValue("manifold/opacity", float(opacity))
        self.store.setValue("manifold/resolution", int(resolution))
        self.store.setValue("manifold/spacing", str(spacing))

    # -- compare mode ----------------------------------------------------------------------
    @property
    def compare_sources(self) -> list[str]:
        """The models of the panes beyond the first ("ae", "vae" or a path); empty: compare mode was off."""
        return self._strings("compare/sources")

    @compare_sources.setter
    def compare_sources(self, sources: list[str]) -> None:
        self.store.setValue("compare/sources", list(sources))

    # -- one's own images pinned on the map -------------------------------------------------
    @property
    def own_images(self) -> list[str]:
        """The pinned files, as ``components/own_images.py`` writes them ("auto|/path/to/file.png")."""
        return self._strings("own_images/pins")

    @own_images.setter
    def own_images(self, entries: list[str]) -> None:
        self.store.setValue("own_images/pins", list(entries))

    def sync(self) -> None:
        self.store.sync()
