"""The insights section of a community page: totals, issues by status, and two charts.

Each chart (issues per SDG, per affected group) is followed by a table of the same numbers;
the SDG table also carries projects and money pledged per goal, the figures a local
authority builds its budget from.
"""

from string import Template

from models import IssueStatus
from web.pages.community_data import GroupInsight, Insights, MoneyAmount, SdgInsight
from web.pages.html import Markup, join, render
from web.pages.i18n import Language, UiText, status_labels, text
from web.pages.insights_chart import (
    BarRow,
    SegmentLabels,
    data_table,
    format_integer,
    stacked_bar_chart,
)

_SECTION = Template("""<section class="insights" aria-labelledby="insights-heading">
<h2 id="insights-heading">$heading</h2>
<dl class="insights-totals">
<div><dt>$issues_label</dt><dd data-field="total-issues">$total_issues</dd></div>
<div><dt>$projects_label</dt><dd data-field="total-projects">$total_projects</dd></div>
</dl>
$body
</section>""")

_STATUS_LIST = Template("""<h3>$heading</h3>
<ul class="status-counts">
$items</ul>""")
_STATUS_ITEM = Template(
    '<li data-status="$status"><span class="status-label">$label</span>'
    ' <strong class="status-count">$count</strong></li>\n'
)

_FIGURE = Template("""<figure class="chart-figure" aria-labelledby="$chart_id-caption">
<figcaption id="$chart_id-caption">$caption</figcaption>
$chart
<details class="chart-data">
<summary>$table_summary</summary>
$table
</details>
</figure>""")

_EMPTY = Template('<p class="insights-empty">$message</p>')


def _segment_labels(language: Language) -> SegmentLabels:
    labels = status_labels(language)
    return SegmentLabels(
        open=labels[IssueStatus.OPEN],
        addressed=labels[IssueStatus.ADDRESSED],
        resolved=labels[IssueStatus.RESOLVED],
    )


def _money(amounts: tuple[MoneyAmount, ...]) -> str:
    return ", ".join(f"{_group_amount(money.amount)} {money.currency}" for money in amounts)


def _group_amount(amount: str) -> str:
    whole, dot, fraction = amount.partition(".")
    sign = "-" if whole.startswith("-") else ""
    return f"{sign}{format_integer(int(whole.lstrip('-') or '0'))}{dot}{fraction}"


def _status_list(insights: Insights, ui: UiText, language: Language) -> Markup:
    labels = {status.value: label for status, label in status_labels(language).items()}
    items = [
        render(
            _STATUS_ITEM,
            status=status,
            label=labels.get(status, status),
            count=format_integer(count),
        )
        for status, count in insights.by_status
    ]
    return render(_STATUS_LIST, heading=ui.by_status, items=join(items))


def _figure(chart_id: str, caption: str, chart: Markup, table: Markup, ui: UiText) -> Markup:
    return render(
        _FIGURE,
        chart_id=chart_id,
        caption=caption,
        chart=chart,
        table_summary=ui.data_table,
        table=table,
    )


def _sdg_figure(rows: list[SdgInsight], ui: UiText, labels: SegmentLabels) -> Markup:
    chart = stacked_bar_chart(
        "sdg-chart",
        title=ui.sdg_chart_title,
        description=ui.sdg_chart_description.format(count=len(rows)),
        rows=[BarRow(f"sdg-{row.number}", f"{row.number}. {row.name}", row.counts) for row in rows],
        labels=labels,
    )
    table = data_table(
        "sdg-table",
        caption=ui.sdg_chart_title,
        headers=[
            ui.goal,
            labels.open,
            labels.addressed,
            labels.resolved,
            ui.total,
            ui.projects,
            ui.money_pledged,
        ],
        rows=[
            [
                f"{row.number}. {row.name}",
                format_integer(row.counts.open),
                format_integer(row.counts.addressed),
                format_integer(row.counts.resolved),
                format_integer(row.counts.total),
                format_integer(row.projects),
                _money(row.money_pledged),
            ]
            for row in rows
        ],
    )
    return _figure("sdg-chart", ui.sdg_chart_title, chart, table, ui)


def _group_figure(rows: list[GroupInsight], ui: UiText, labels: SegmentLabels) -> Markup:
    chart = stacked_bar_chart(
        "group-chart",
        title=ui.group_chart_title,
        description=ui.group_chart_description.format(count=len(rows)),
        rows=[BarRow(f"group-{row.group}", row.label, row.counts) for row in rows],
        labels=labels,
    )
    table = data_table(
        "group-table",
        caption=ui.group_chart_title,
        headers=[ui.group, labels.open, labels.addressed, labels.resolved, ui.total],
        rows=[
            [
                row.label,
                format_integer(row.counts.open),
                format_integer(row.counts.addressed),
                format_integer(row.counts.resolved),
                format_integer(row.counts.total),
            ]
            for row in rows
        ],
    )
    return _figure("group-chart", ui.group_chart_title, chart, table, ui)


def _number(row: SdgInsight) -> int:
    return row.number


def _fewest_last(row: GroupInsight) -> int:
    return -row.counts.total


def insights_section(insights: Insights, language: Language) -> Markup:
    ui = text(language)
    # Goals in their UN order; groups most affected first (stable: ties keep the API's order).
    sdg_rows = sorted((row for row in insights.by_sdg if row.counts.total > 0), key=_number)
    group_rows = sorted(
        (row for row in insights.by_group if row.counts.total > 0), key=_fewest_last
    )
    if insights.total_issues == 0:
        body = render(_EMPTY, message=ui.no_issues)
    else:
        labels = _segment_labels(language)
        body = join(
            [
                _status_list(insights, ui, language),
                _sdg_figure(sdg_rows, ui, labels),
                _group_figure(group_rows, ui, labels),
            ]
        )
    return render(
        _SECTION,
        heading=ui.insights_heading,
        issues_label=ui.total_issues,
        total_issues=format_integer(insights.total_issues),
        projects_label=ui.total_projects,
        total_projects=format_integer(insights.total_projects),
        body=body,
    )
