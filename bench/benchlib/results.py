"""The rows of the report and how figures are printed."""

from __future__ import annotations

from dataclasses import dataclass, field

from .util import log


@dataclass
class Row:
    measure: str
    backend: str
    figure: str
    baseline: str
    ratio: float | None
    target: str
    ok: bool | None
    note: str = ""


@dataclass
class Results:
    rows: list[Row] = field(default_factory=list)
    raw: dict = field(default_factory=dict)

    def add(self, row: Row) -> None:
        self.rows.append(row)
        verdict = {True: "ok", False: "MISS", None: "-"}[row.ok]
        ratio = "" if row.ratio is None else f" ratio {row.ratio:.3g}"
        log(f"  {row.backend}: {row.measure}: {row.figure} vs {row.baseline}{ratio} "
            f"(target {row.target}) {verdict}")


def fmt_rate(value: float) -> str:
    return f"{value:,.0f}"


def fmt_seconds(value: float) -> str:
    return f"{value * 1000:,.1f} ms" if value < 1 else f"{value:,.2f} s"


def fmt_us(value: float) -> str:
    return f"{value / 1000:,.2f} ms"
