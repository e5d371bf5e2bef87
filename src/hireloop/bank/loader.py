"""Finding and validating exercise directories: every error names the file and the field.

The loader never follows a symlink: an exercise directory that contains one is rejected, so an
author (or an uploaded bank) cannot make the server read files outside the exercise.
"""

from __future__ import annotations

import os
import stat
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2
from pydantic import ValidationError

from hireloop.bank.principles import Principle, load_principles
from hireloop.core import Exercise, ExerciseError, ExerciseMeta, Hidden, SampleSpec, Variant
from hireloop.core.errors import pydantic_errors
from hireloop.core.exercise import ID_SEGMENT
from hireloop.plugins import KindRegistry, load_kinds

EXERCISE_FILE = "exercise.toml"
PROMPT_FILE = "prompt.md"
HIDDEN_DIR = "hidden"
SAMPLES_DIR = "samples"
SAMPLES_FILE = "samples/samples.toml"
BANK_MARKER = "bank.toml"
MAX_FILE_BYTES = 20 * 1024 * 1024
SKIP_DIRS = {"__pycache__", ".git", ".pytest_cache", ".mypy_cache", ".ruff_cache"}


@dataclass
class LoadedExercise:
    """The result of loading one directory: an exercise, or why there is none."""

    id: str
    path: Path
    source: str
    kind: str | None
    exercise: Exercise | None = None
    errors: list[ExerciseError] = field(default_factory=list)
    unavailable: str | None = None
    """set when the exercise is valid as far as we can tell but its kind is not installed"""

    @property
    def ok(self) -> bool:
        """Loaded, valid and its kind available."""
        return self.exercise is not None and not self.errors and self.unavailable is None


def find_bank_root(path: Path) -> Path | None:
    """The nearest folder at or above ``path`` holding a ``bank.toml`` marker."""
    for candidate in [path, *path.parents]:
        if (candidate / BANK_MARKER).is_file():
            return candidate
    return None


def find_exercise_dirs(root: Path) -> list[Path]:
    """Every directory below ``root`` holding an ``exercise.toml``, without following links."""
    found: list[Path] = []
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        if EXERCISE_FILE in filenames:
            found.append(Path(dirpath))
            dirnames[:] = []
            continue
        dirnames[:] = sorted(d for d in dirnames if d not in SKIP_DIRS and not d.startswith("."))
    return sorted(found)


def display_name(path: Path) -> str:
    """How messages name a path: relative to the working directory when below it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def _read_tree(directory: Path, source: str) -> tuple[dict[str, bytes], list[ExerciseError]]:
    """All regular files below ``directory`` by relative name; symlinks and oversize are errors."""
    files: dict[str, bytes] = {}
    errors: list[ExerciseError] = []
    for dirpath, dirnames, filenames in os.walk(directory, followlinks=False):
        base = Path(dirpath)
        for name in list(dirnames):
            if name in SKIP_DIRS:
                dirnames.remove(name)
            elif (base / name).is_symlink():
                rel = (base / name).relative_to(directory).as_posix()
                errors.append(ExerciseError(f"{source}/{rel}", "", "symlinks are not allowed in "
                                            "an exercise (the loader never follows one)"))
                dirnames.remove(name)
        for name in filenames:
            full = base / name
            rel = full.relative_to(directory).as_posix()
            info = full.lstat()
            if stat.S_ISLNK(info.st_mode):
                errors.append(ExerciseError(f"{source}/{rel}", "", "symlinks are not allowed in "
                                            "an exercise (the loader never follows one)"))
                continue
            if not stat.S_ISREG(info.st_mode) or name.endswith((".pyc", ".pyo")):
                continue
            if info.st_size > MAX_FILE_BYTES:
                errors.append(ExerciseError(f"{source}/{rel}", "",
                                            f"larger than {MAX_FILE_BYTES // 2**20} MiB"))
                continue
            fd = os.open(full, os.O_RDONLY | os.O_NOFOLLOW)
            with os.fdopen(fd, "rb") as handle:
                files[rel] = handle.read()
    return files, errors


def _parse_toml(raw: bytes, file: str) -> tuple[dict[str, Any] | None, list[ExerciseError]]:
    try:
        return tomllib.loads(raw.decode("utf-8")), []
    except UnicodeDecodeError:
        return None, [ExerciseError(file, "", "not UTF-8 text")]
    except tomllib.TOMLDecodeError as exc:
        return None, [ExerciseError(file, "", f"not valid TOML: {exc}")]


def exercise_id(root: Path, directory: Path) -> tuple[str, list[ExerciseError]]:
    """The id of an exercise directory (its path below the bank root), checked for form."""
    rel = directory.relative_to(root).as_posix()
    bad = [seg for seg in rel.split("/") if not ID_SEGMENT.match(seg)]
    if rel == "." or bad:
        return rel, [ExerciseError(
            display_name(directory), "id",
            f"the path {rel!r} is the exercise id: use lowercase letters, digits, '-' and '_' "
            f"in each folder name (bad: {bad or [rel]})")]
    return rel, []


def principle_context(
    config: Any, principles: dict[str, Principle]
) -> tuple[dict[str, Any], str | None]:
    """Template variables for an exercise written against a company principle."""
    principle_id = getattr(config, "principle", None)
    if not principle_id:
        return {}, None
    principle = principles.get(principle_id)
    if principle is None:
        known = ", ".join(sorted(principles)) or "none"
        return {}, f"unknown principle {principle_id!r}; the principles file defines: {known}"
    return {"principle": principle.model_dump()}, None


def load_exercise(
    root: Path,
    directory: Path,
    kinds: KindRegistry,
    principles: dict[str, Principle] | None = None,
) -> LoadedExercise:
    """Load and validate one exercise directory. Never raises for a problem in the files."""
    source = display_name(directory)
    ex_id, errors = exercise_id(root, directory)
    result = LoadedExercise(id=ex_id, path=directory, source=source, kind=None, errors=errors)
    files, tree_errors = _read_tree(directory, source)
    result.errors += tree_errors

    toml_file = f"{source}/{EXERCISE_FILE}"
    data, parse_errors = _parse_toml(files.get(EXERCISE_FILE, b""), toml_file)
    result.errors += parse_errors
    if data is None:
        return result

    raw_kind = data.get("kind")
    kind_name: str | None = raw_kind if isinstance(raw_kind, str) else None
    result.kind = kind_name
    kind_table = data.pop(kind_name, None) if kind_name else None
    meta: ExerciseMeta | None = None
    try:
        meta = ExerciseMeta.model_validate(data)
    except ValidationError as exc:
        result.errors += pydantic_errors(toml_file, exc)

    kind = kinds.get(kind_name) if kind_name else None
    config: Any = None
    if kind_name and kind is None:
        result.unavailable = kinds.why_missing(kind_name)
    elif kind is not None and kind_name is not None:
        if kind.config_model is None:
            if kind_table is not None:
                result.errors.append(ExerciseError(toml_file, kind_name,
                                                   f"kind {kind_name!r} takes no table"))
        elif not isinstance(kind_table, dict):
            result.errors.append(ExerciseError(
                toml_file, kind_name, f"required: a [{kind_name}] table with the kind's settings"))
        else:
            try:
                config = kind.config_model.model_validate(kind_table)
            except ValidationError as exc:
                result.errors += pydantic_errors(toml_file, exc, prefix=kind_name)

    prompt_raw = files.get(PROMPT_FILE)
    prompt = ""
    if prompt_raw is None:
        result.errors.append(ExerciseError(f"{source}/{PROMPT_FILE}", "",
                                           "missing: every exercise needs the candidate's prompt"))
    else:
        try:
            prompt = prompt_raw.decode("utf-8")
        except UnicodeDecodeError:
            result.errors.append(ExerciseError(f"{source}/{PROMPT_FILE}", "", "not UTF-8 text"))
        if prompt_raw is not None and not prompt.strip():
            result.errors.append(ExerciseError(f"{source}/{PROMPT_FILE}", "", "is empty"))

    samples, sample_errors = _load_samples(files, source, directory)
    result.errors += sample_errors
    for i, name in enumerate(meta.known_solutions if meta is not None else []):
        if name not in files:
            result.errors.append(ExerciseError(toml_file, f"known_solutions[{i}]",
                                               f"{name!r} does not exist in the exercise"))

    if meta is None or result.errors:
        return result

    hidden = Hidden({n[len(HIDDEN_DIR) + 1:]: b for n, b in files.items()
                     if n.startswith(HIDDEN_DIR + "/")})
    public = {n: b for n, b in files.items()
              if n not in (EXERCISE_FILE, PROMPT_FILE)
              and not n.startswith((HIDDEN_DIR + "/", SAMPLES_DIR + "/"))}
    exercise = Exercise(id=ex_id, path=directory, source=source, meta=meta, config=config,
                        prompt=prompt, hidden=hidden, samples=tuple(samples), public_files=public)
    result.exercise = exercise
    if kind is None:
        return result

    context, principle_error = principle_context(config, principles or {})
    if principle_error:
        result.errors.append(ExerciseError(toml_file, f"{kind_name}.principle", principle_error))
        return result
    try:
        result.errors += kind.check(exercise)
    except Exception as exc:
        result.errors.append(ExerciseError(source, "", f"the {kind_name} kind's check crashed: "
                                           f"{type(exc).__name__}: {exc}"))
    if not result.errors:
        result.errors += _check_rendering(exercise, kind, context)
    return result


def _load_samples(
    files: dict[str, bytes], source: str, directory: Path
) -> tuple[list[SampleSpec], list[ExerciseError]]:
    file = f"{source}/{SAMPLES_FILE}"
    if SAMPLES_FILE not in files:
        return [], [ExerciseError(file, "", "missing: every exercise proves itself with samples "
                                  "(see docs/exercise-format.md)")]
    data, errors = _parse_toml(files[SAMPLES_FILE], file)
    if data is None:
        return [], errors
    extra = sorted(set(data) - {"sample"})
    if extra:
        errors.append(ExerciseError(file, extra[0], "unknown key; expected [[sample]] entries"))
    entries = data.get("sample")
    if not isinstance(entries, list) or not entries:
        errors.append(ExerciseError(file, "sample", "list at least one [[sample]]"))
        return [], errors
    samples: list[SampleSpec] = []
    seen: set[str] = set()
    for index, entry in enumerate(entries):
        label = f"sample[{index}]"
        if isinstance(entry, dict) and isinstance(entry.get("name"), str):
            label += f" {entry['name']!r}"
        try:
            spec = SampleSpec.model_validate(entry)
        except ValidationError as exc:
            for err in pydantic_errors(file, exc):
                field_name = f"{label}.{err.field}" if err.field else label
                errors.append(ExerciseError(file, field_name, err.message))
            continue
        if spec.name in seen:
            errors.append(ExerciseError(file, label, f"duplicate sample name {spec.name!r}"))
        seen.add(spec.name)
        is_dir = any(n.startswith(spec.file.rstrip("/") + "/") for n in files)
        if spec.file not in files and not is_dir:  # a directory sample: a project
            what = "is a symlink" if (directory / spec.file).is_symlink() else "does not exist"
            errors.append(ExerciseError(file, f"{label}.file", f"{spec.file!r} {what}"))
        samples.append(spec)
    return samples, errors


def _check_rendering(exercise: Exercise, kind: Any, context: dict[str, Any]) -> list[ExerciseError]:
    seeds = range(4) if exercise.has_variants else range(1)
    for seed in seeds:
        try:
            kind.render(exercise, exercise.variant(seed, context))
        except jinja2.TemplateError as exc:
            where = getattr(exc, "lineno", None)
            return [ExerciseError(f"{exercise.source}/{PROMPT_FILE}", "",
                                  f"template error (seed {seed}"
                                  + (f", line {where}" if where else "") + f"): {exc}")]
        except Exception as exc:
            return [ExerciseError(exercise.source, "", f"rendering seed {seed} failed: "
                                  f"{type(exc).__name__}: {exc}")]
    return []


@dataclass
class Bank:
    """Every exercise of one or more bank roots, loaded and validated."""

    roots: list[Path]
    kinds: KindRegistry
    principles: dict[str, Principle]
    entries: dict[str, LoadedExercise] = field(default_factory=dict)
    """by id; broken and unavailable exercises too"""
    duplicates: list[LoadedExercise] = field(default_factory=list)
    """later directories whose id was already taken"""
    problems: list[ExerciseError] = field(default_factory=list)
    """bank-wide problems (unreadable principles file, missing root)"""

    @property
    def exercises(self) -> dict[str, Exercise]:
        """The usable exercises by id: valid, with their kind installed."""
        return {i: e.exercise for i, e in self.entries.items() if e.ok and e.exercise}

    def get(self, exercise_id: str) -> Exercise:
        """A usable exercise, or KeyError with the reason it can't be used."""
        entry = self.entries.get(exercise_id.strip("/"))
        if entry is None:
            raise KeyError(f"no exercise {exercise_id!r} in the bank "
                           "(see `hireloop bank list`)")
        if entry.exercise is None or entry.errors:
            raise KeyError(f"exercise {exercise_id!r} is invalid: "
                           + "; ".join(str(e) for e in entry.errors))
        if entry.unavailable:
            raise KeyError(f"exercise {exercise_id!r} is unavailable: {entry.unavailable}")
        return entry.exercise

    def context_for(self, exercise: Exercise) -> dict[str, Any]:
        """Template variables the bank supplies to an exercise (its company principle)."""
        context, _ = principle_context(exercise.config, self.principles)
        return context

    def variant(self, exercise: Exercise, seed: int = 0) -> Variant:
        """Variant ``seed`` of an exercise, with the bank's context."""
        return exercise.variant(seed, self.context_for(exercise))


def load_bank(
    roots: Iterable[Path],
    kinds: KindRegistry | None = None,
    principles_file: Path | None = None,
    only: Iterable[Path] | None = None,
) -> Bank:
    """Load every exercise below ``roots`` (or only those below the paths in ``only``)."""
    from hireloop.config import builtin_loops_dir
    from hireloop.sandbox import hide

    root_list = [Path(r) for r in roots]
    hide(*root_list)  # nothing of a bank is ever visible to sandboxed code
    registry = kinds if kinds is not None else load_kinds()
    principles, principle_errors = load_principles(
        principles_file or builtin_loops_dir() / "principles.toml")
    bank = Bank(roots=root_list, kinds=registry, principles=principles,
                problems=list(principle_errors))
    wanted = [Path(p).resolve() for p in only] if only is not None else None
    for root in root_list:
        if not root.is_dir():
            bank.problems.append(ExerciseError(str(root), "", "bank folder does not exist"))
            continue
        for directory in find_exercise_dirs(root):
            resolved = directory.resolve()
            if wanted is not None and not any(
                resolved == w or w in resolved.parents for w in wanted
            ):
                continue
            loaded = load_exercise(root, directory, registry, principles)
            if loaded.id in bank.entries:
                first = bank.entries[loaded.id]
                loaded.errors.append(ExerciseError(
                    loaded.source, "id",
                    f"duplicate id {loaded.id!r}: also defined by {first.source}"))
                bank.duplicates.append(loaded)
                continue
            bank.entries[loaded.id] = loaded
    return bank


def bank_for_paths(paths: Iterable[Path], kinds: KindRegistry | None = None,
                   principles_file: Path | None = None) -> Bank:
    """Load the exercises at or below ``paths``, each with the id its bank root gives it."""
    path_list = [Path(p) for p in paths]
    roots: list[Path] = []
    for path in path_list:
        if not path.exists():
            raise FileNotFoundError(f"{path}: no such file or directory")
        base = path if path.is_dir() else path.parent
        root = find_bank_root(base.resolve())
        if root is None:
            # No bank.toml marker: the folder itself is the root, or its parent for a lone exercise.
            root = base.parent.resolve() if (base / EXERCISE_FILE).is_file() else base.resolve()
        if root not in roots:
            roots.append(root)
    return load_bank(roots, kinds, principles_file, only=path_list)
