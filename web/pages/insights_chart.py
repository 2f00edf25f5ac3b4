"""Server-rendered SVG charts of community insights, each with a data table beside it.

Horizontal bars stacked open / addressed / resolved, one row per SDG or affected group with
issues, each label above its bar so long (Ukrainian) names fit a phone's width. The SVG is
an ``img`` to assistive technology (its ``title`` and ``desc`` say what it shows); the same
numbers follow as a table. Colours are presentation attributes as well as classes, so the
chart reads right even where the stylesheet does not load.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from string import Template

from web.pages.community_data import StatusCounts
from web.pages.html import Markup, join, render

WIDTH = 400  # about a phone's width, so the text is drawn near its CSS size
BAR_MAX_WIDTH = 340  # leaves room for the total after the longest bar
LEGEND_HEIGHT = 30
LEGEND_SPACING = 130
ROW_HEIGHT = 42
LABEL_BASELINE = 14  # from the top of a row
BAR_TOP = 20
BAR_HEIGHT = 16
MAX_LABEL_CHARACTERS = 52
THIN_SPACE = "\u202f"

# (status key, fill): the order the segments stack in, left to right.
SEGMENTS = (("open", "#c2410c"), ("addressed", "#0b5cad"), ("resolved", "#1d7a46"))


@dataclass(frozen=True)
class BarRow:
    key: str  # stable, for styling and tests: "sdg-11", "group-ELDERLY"
    label: str
    counts: StatusCounts


@dataclass(frozen=True)
class SegmentLabels:
    open: str
    addressed: str
    resolved: str

    def of(self, status: str) -> str:
        labels: dict[str, str] = {
            "open": self.open,
            "addressed": self.addressed,
            "resolved": self.resolved,
        }
        return labels[status]


_SVG = Template(
    '<svg class="insights-chart" id="$chart_id" viewBox="0 0 $width $height" role="img"'
    ' aria-labelledby="$chart_id-title $chart_id-desc" xmlns="http://www.w3.org/2000/svg">\n'
    '<title id="$chart_id-title">$title</title>\n'
    '<desc id="$chart_id-desc">$description</desc>\n'
    "$legend$rows</svg>"
)
_LEGEND_ITEM = Template(
    '<rect class="chart-swatch chart-$status" x="$x" y="8" width="14" height="14"'
    ' fill="$fill"/><text class="chart-legend" x="$text_x" y="20">$label</text>\n'
)
_ROW = Template(
    '<g class="chart-row" data-key="$key"><title>$summary</title>\n'
    '<text class="chart-label" x="0" y="$label_y">$label</text>\n'
    '$segments<text class="chart-total" x="$total_x" y="$total_y">$total</text></g>\n'
)
_SEGMENT = Template(
    '<rect class="chart-bar chart-$status" data-count="$count" x="$x" y="$y" width="$width"'
    ' height="$height" fill="$fill"><title>$label: $count</title></rect>\n'
)


def format_integer(number: int) -> str:
    """Digits grouped by thin spaces (12 000), readable in English and Ukrainian alike."""
    return f"{number:,}".replace(",", THIN_SPACE)


def short_label(label: str) -> str:
    """Labels longer than the label column end in an ellipsis (the row's title has it whole)."""
    if len(label) <= MAX_LABEL_CHARACTERS:
        return label
    return label[: MAX_LABEL_CHARACTERS - 1].rstrip() + "…"


def _legend(labels: SegmentLabels) -> Markup:
    items = []
    for index, (status, fill) in enumerate(SEGMENTS):
        x = index * LEGEND_SPACING
        items.append(
            render(
                _LEGEND_ITEM,
                status=status,
                x=str(x),
                text_x=str(x + 20),
                fill=fill,
                label=labels.of(status),
            )
        )
    return join(items)


def _segments(counts: StatusCounts, y: float, scale: float, labels: SegmentLabels) -> Markup:
    values = {"open": counts.open, "addressed": counts.addressed, "resolved": counts.resolved}
    x = 0.0
    parts = []
    for status, fill in SEGMENTS:
        count = values[status]
        if count <= 0:
            continue
        width = count * scale
        parts.append(
            render(
                _SEGMENT,
                status=status,
                count=str(count),
                x=f"{x:.2f}",
                y=f"{y:.2f}",
                width=f"{width:.2f}",
                height=str(BAR_HEIGHT),
                fill=fill,
                label=labels.of(status),
            )
        )
        x += width
    return join(parts)


def _row(row: BarRow, index: int, scale: float, labels: SegmentLabels) -> Markup:
    top = LEGEND_HEIGHT + index * ROW_HEIGHT
    bar_y = top + BAR_TOP
    counts = row.counts
    summary = (
        f"{row.label}: {labels.open} {counts.open}, {labels.addressed} {counts.addressed}, "
        f"{labels.resolved} {counts.resolved}"
    )
    return render(
        _ROW,
        key=row.key,
        summary=summary,
        label_y=str(top + LABEL_BASELINE),
        label=short_label(row.label),
        segments=_segments(counts, bar_y, scale, labels),
        total_x=f"{counts.total * scale + 6:.2f}",
        total_y=str(bar_y + BAR_HEIGHT - 3),
        total=format_integer(counts.total),
    )


def stacked_bar_chart(
    chart_id: str, *, title: str, description: str, rows: Sequence[BarRow], labels: SegmentLabels
) -> Markup:
    """One SVG chart; ``rows`` without any issue are left out by the caller."""
    largest = max((row.counts.total for row in rows), default=0)
    scale = BAR_MAX_WIDTH / largest if largest else 0.0
    height = LEGEND_HEIGHT + len(rows) * ROW_HEIGHT + 6
    return render(
        _SVG,
        chart_id=chart_id,
        width=str(WIDTH),
        height=str(height),
        title=title,
        description=description,
        legend=_legend(labels),
        rows=join([_row(row, index, scale, labels) for index, row in enumerate(rows)]),
    )


_TABLE = Template(
    '<table class="insights-table" id="$table_id">\n<caption>$caption</caption>\n'
    "<thead><tr>$head</tr></thead>\n<tbody>\n$body</tbody>\n</table>"
)
_HEAD_CELL = Template('<th scope="col">$text</th>')
_BODY_ROW = Template('<tr><th scope="row">$first</th>$cells</tr>\n')
_CELL = Template("<td>$text</td>")


def data_table(
    table_id: str, *, caption: str, headers: Sequence[str], rows: Sequence[Sequence[str]]
) -> Markup:
    """A plain table: the first header names the row labels, the first cell of a row is one."""
    head = join([render(_HEAD_CELL, text=header) for header in headers])
    body = join(
        [
            render(
                _BODY_ROW,
                first=row[0],
                cells=join([render(_CELL, text=cell) for cell in row[1:]]),
            )
            for row in rows
        ]
    )
    return render(_TABLE, table_id=table_id, caption=caption, head=head, body=body)
