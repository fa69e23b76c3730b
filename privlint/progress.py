"""The live progress display of `check` on a terminal's stderr: the stage, files read,
summarized and analysed so far, and the time elapsed.

rich redraws it from its own thread a few times a second; the scan only bumps counters
(from the main process, as results arrive from the workers), so it costs the scan
nothing measurable. The display is transient: it is gone before the report prints.
"""

from __future__ import annotations

import time
from types import TracebackType

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    ProgressColumn,
    SpinnerColumn,
    Task,
    TaskID,
    TextColumn,
)
from rich.progress import Progress as RichProgress
from rich.text import Text

from privlint.stats import ANALYSED, READ, SUMMARIZED, Progress

_DOING = {READ: "reading files", SUMMARIZED: "summarizing", ANALYSED: "analysing"}


class LiveProgress(Progress):
    """A `Progress` that draws on `console` while used as a context manager: one line,
    the current stage's bar and M/N, the counts of the stages before it, and the time
    since the start."""

    def __init__(self, console: Console) -> None:
        self._done = {READ: 0, SUMMARIZED: 0, ANALYSED: 0}
        self._current = READ
        self._bar = RichProgress(
            SpinnerColumn(),
            TextColumn("[bold]privlint[/] {task.description}"),
            BarColumn(bar_width=24),
            MofNCompleteColumn(),
            TextColumn("[dim]{task.fields[counts]}[/]"),
            _Elapsed(time.monotonic()),
            console=console,
            transient=True,
            redirect_stdout=False,
            redirect_stderr=False,
            refresh_per_second=8,
        )
        self._task: TaskID | None = None

    def stage(self, name: str, total: int | None = None) -> None:
        if self._task is not None:
            self._bar.update(self._task, visible=False)
        self._current = name
        self._task = self._bar.add_task(_DOING.get(name, name), total=total, counts=self._counts())

    def advance(self, count: int = 1) -> None:
        self._done[self._current] = self._done.get(self._current, 0) + count
        if self._task is not None:
            self._bar.update(self._task, advance=count, counts=self._counts())

    def _counts(self) -> str:
        """The stages done so far (the current one is in the bar's M/N)."""
        stages = list(self._done)
        finished = stages[: stages.index(self._current)] if self._current in stages else stages
        return " · ".join(f"{name} {self._done[name]}" for name in finished)

    def __enter__(self) -> LiveProgress:
        self._bar.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._bar.stop()


class _Elapsed(ProgressColumn):
    """Time since the scan started (rich's own column restarts with each stage's task)."""

    def __init__(self, start: float) -> None:
        super().__init__()
        self._start = start

    def render(self, task: Task) -> Text:
        seconds = int(time.monotonic() - self._start)
        return Text(f"{seconds // 60}:{seconds % 60:02d}", style="progress.elapsed")
