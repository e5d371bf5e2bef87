"""Kinds are plugins: pluggy hook specs and the registry of installed kinds.

Built-in kinds register through the same hook as third-party ones, from the entry-point group
``hireloop`` (STYLE.md 2). A plugin that fails to import or to register disables only its own
kinds, with the reason kept for ``hireloop kinds`` and for every exercise of those kinds
(STYLE.md 3).
"""

from __future__ import annotations

import importlib
import importlib.metadata
import traceback
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import pluggy

from hireloop.core import Kind

hookspec = pluggy.HookspecMarker("hireloop")
hookimpl = pluggy.HookimplMarker("hireloop")

ENTRY_POINT_GROUP = "hireloop"

# Loaded even when the package metadata is missing (e.g. running from a source tree): the same
# modules the package declares in its own entry points.
DEFAULT_PLUGINS = ("hireloop.kinds.choice", "hireloop.kinds.code", "hireloop.kinds.text",
                   "hireloop.kinds.spoken",
                   "hireloop.kinds.ml_task")


class HireloopSpec:
    """The hooks a hireloop plugin may implement."""

    @hookspec
    def hireloop_register_kinds(self) -> list[type[Kind]]:  # type: ignore[empty-body]
        """Return the exercise kinds this plugin provides, as classes."""


@dataclass(frozen=True)
class PluginProblem:
    """A plugin that could not be loaded, or a kind that could not be registered."""

    plugin: str
    message: str


@dataclass
class KindRegistry:
    """The installed kinds by name, and what failed to load."""

    kinds: dict[str, Kind] = field(default_factory=dict)
    problems: list[PluginProblem] = field(default_factory=list)
    origins: dict[str, str] = field(default_factory=dict)
    """which plugin registered each kind"""

    def get(self, name: str) -> Kind | None:
        """The kind called ``name``, or None when it is not installed."""
        return self.kinds.get(name)

    def why_missing(self, name: str) -> str:
        """A message for an exercise whose kind is not available."""
        related = [p for p in self.problems if name in p.plugin or f"'{name}'" in p.message]
        if related:
            return f"kind {name!r} failed to load: {related[0].message}"
        installed = ", ".join(sorted(self.kinds)) or "none"
        return (
            f"kind {name!r} is not installed (installed kinds: {installed}); install the plugin "
            f"that provides it, or fix the spelling"
        )


def _short_error(exc: BaseException) -> str:
    return traceback.format_exception_only(type(exc), exc)[-1].strip()


def load_kinds(
    extra_plugins: Iterable[Any] = (),
    *,
    entry_points: bool = True,
    default_plugins: Iterable[str] = DEFAULT_PLUGINS,
) -> KindRegistry:
    """Load every kind plugin: built-ins, the ``hireloop`` entry-point group, and extras.

    Never raises for a broken plugin: its problem is recorded and the other kinds load.
    """
    pm = pluggy.PluginManager("hireloop")
    pm.add_hookspecs(HireloopSpec)
    registry = KindRegistry()

    def register(obj: Any, name: str) -> None:
        if pm.is_registered(obj) or pm.has_plugin(name):
            return
        try:
            pm.register(obj, name=name)
        except Exception as exc:  # a plugin with a hook that matches no spec, etc.
            registry.problems.append(PluginProblem(name, _short_error(exc)))

    for module_name in default_plugins:
        try:
            register(importlib.import_module(module_name), module_name)
        except Exception as exc:
            registry.problems.append(PluginProblem(module_name, _short_error(exc)))

    if entry_points:
        for ep in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP):
            if pm.has_plugin(ep.value) or pm.has_plugin(ep.name):
                continue
            try:
                register(ep.load(), ep.value)
            except Exception as exc:
                registry.problems.append(
                    PluginProblem(f"{ep.name} ({ep.value})", _short_error(exc))
                )

    for index, obj in enumerate(extra_plugins):
        register(obj, getattr(obj, "__name__", f"extra-plugin-{index}"))

    try:
        pm.check_pending()
    except pluggy.PluginValidationError as exc:
        registry.problems.append(PluginProblem(str(exc.plugin), str(exc)))

    for impl in pm.hook.hireloop_register_kinds.get_hookimpls():
        plugin_name = impl.plugin_name
        try:
            returned: Any = impl.function()
            classes: list[Any] = list(returned or [])
            for cls in classes:
                _add_kind(registry, cls, plugin_name)
        except Exception as exc:
            registry.problems.append(PluginProblem(plugin_name, _short_error(exc)))
    return registry


def _add_kind(registry: KindRegistry, cls: Any, plugin_name: str) -> None:
    if not (isinstance(cls, type) and issubclass(cls, Kind)):
        registry.problems.append(
            PluginProblem(plugin_name, f"{cls!r} is not a subclass of hireloop.core.Kind")
        )
        return
    name = getattr(cls, "name", None)
    if not isinstance(name, str) or not name:
        registry.problems.append(PluginProblem(plugin_name, f"{cls.__name__} has no `name`"))
        return
    if name in registry.kinds:
        registry.problems.append(
            PluginProblem(
                plugin_name,
                f"kind {name!r} is already provided by {registry.origins[name]}; ignored",
            )
        )
        return
    try:
        instance = cls()
    except Exception as exc:
        registry.problems.append(
            PluginProblem(plugin_name, f"kind '{name}' failed to start: {_short_error(exc)}")
        )
        return
    registry.kinds[name] = instance
    registry.origins[name] = plugin_name
