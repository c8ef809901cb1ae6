"""A plain-text progress bar for management commands (no dependency, no curses)."""

import time


class ProgressBar:
    """Redraws one line in place on a terminal; elsewhere (logs, CI, tests) prints only the
    final line, so captured output stays short."""

    def __init__(self, stdout, label: str, total: int, width: int = 30):
        self.stdout = stdout
        self.label = label
        self.total = max(total, 0)
        self.width = width
        self.done = 0
        self.started = time.monotonic()
        self.interactive = bool(getattr(stdout, "isatty", lambda: False)())
        self._last_drawn = -1

    def _line(self) -> str:
        fraction = 1.0 if self.total == 0 else min(self.done / self.total, 1.0)
        filled = round(self.width * fraction)
        bar = "#" * filled + "-" * (self.width - filled)
        return (
            f"{self.label:<12} [{bar}] {fraction:4.0%}  {self.done:,}/{self.total:,}"
            f"  {time.monotonic() - self.started:5.1f}s"
        )

    def advance(self, count: int = 1) -> None:
        self.done += count
        if not self.interactive:
            return
        permille = 1000 if self.total == 0 else self.done * 1000 // self.total
        if permille != self._last_drawn:  # redraw at most 1000 times per bar
            self._last_drawn = permille
            self.stdout.write("\r" + self._line(), ending="")
            self.stdout.flush()

    def finish(self) -> float:
        """Print the final line and return the seconds the bar was open."""
        # Some phases stop short of their target (e.g. no capacity left to book): show what
        # was actually done as the whole.
        self.total = self.done
        prefix = "\r" if self.interactive else ""
        self.stdout.write(prefix + self._line())
        return time.monotonic() - self.started
