"""Build the report's tables from the figures, for the page, the CSV downloads and the digest."""

from decimal import Decimal

import clock
from complaints.models import Product
from reports.adr import adr_figures
from reports.db import room_to_group
from reports.figures import Figures
from reports.period_return import BANDS, period_return
from reports.periods import AGE_BANDS
from reports.queries import FORECAST_DAYS, reaching_adr, share
from reports.tables import DATE, DAYS, MONEY, PERCENT, TEXT, Cell, Column, Table, admin_list_url


def headline_table(report):
    figures = {**report.headline(), **adr_figures(report.scope, report.now)}
    rows = [
        ("Open complaints now", figures["open"]),
        ("Received in the period", figures["received"]),
        ("Resolved in the period", figures["resolved"]),
        ("Withdrawn in the period", figures["withdrawn"]),
        ("Resolved before their ADR deadline", Cell(figures["resolved_in_time_share"], PERCENT)),
        ("Median days to resolution", Cell(figures["median_days"], DAYS)),
        ("90th percentile days to resolution", Cell(figures["p90_days"], DAYS)),
        ("ADR letters sent", figures["adr_letters"]),
        ("Deadlocks", figures["deadlocks"]),
        ("Ombudsman referrals", figures["referrals"]),
        ("Ombudsman decisions upholding the complaint",
         Cell(share(figures["decisions_upheld"], figures["decisions"]), PERCENT)),
        ("Compliance deadlines due", figures["compliance_due"]),
        ("Compliance overdue now", figures["compliance_overdue"]),
        ("Letters that failed", figures["failed_letters"]),
    ]
    return Table(
        "headline", "Headline figures", [Column("Figure", TEXT), Column("Value")], rows,
        note="For the period unless marked now. A letter failed when its email could not be delivered (it is "
             "being retried, or went by post instead). Ombudsman decisions count fully and partly upheld ones; "
             "a settlement counts as not upheld.",
    )


def age_table(report):
    rows = [[product.label, *counts, sum(counts)] for product, counts in report.age_bands()]
    return Table(
        "age", "Open complaints by age and product",
        [Column("Product", TEXT), *(Column(label) for label, _first, _last in AGE_BANDS), Column("Total")],
        rows, total=["All products", *(_sum(rows, index) for index in range(1, len(AGE_BANDS) + 2))],
        note="Age in whole days since the day of receipt, today.",
    )


def forecast_table(report):
    scope, now = report.scope, report.now

    def link(count, days, agent):
        lookups = {**scope.lookups(), **clock.reaching_adr_lookups(now, days), **agent}
        return Cell(count, link=admin_list_url(lookups))

    rows = []
    for row in reaching_adr(scope, now):
        agent = {"assigned_to__id__exact": row.agent_id} if row.agent_id else {"assigned_to__isnull": "True"}
        rows.append([row.agent_name, *(link(count, days, agent)
                                       for count, days in zip(row.counts, FORECAST_DAYS, strict=True))])
    total_links = [link(_sum(rows, index, value=lambda cell: cell.value), days, {})
                   for index, days in enumerate(FORECAST_DAYS, start=1)]
    return Table(
        "forecast", "Reaching ADR: waiting periods ending soon",
        [Column("Agent", TEXT), *(Column(f"Next {days} days") for days in FORECAST_DAYS)],
        rows, total=["All agents", *total_links],
        note="Open complaints whose customer has not had an ADR or deadlock letter, and whose waiting period ends "
             "on one of the next 7 or 14 days (from tomorrow): unless resolved, each will owe an ADR letter. "
             "Each count opens the complaint list filtered to exactly those complaints.",
    )


def trends_table(report):
    rows = [[week, received, resolved] for week, received, resolved in report.trends()]
    return Table(
        "trends", "Complaints received and resolved per week",
        [Column("Week beginning", DATE), Column("Received"), Column("Resolved")],
        rows, total=[Cell("Whole period", TEXT), _sum(rows, 1), _sum(rows, 2)],
        note="Weeks run Monday to Sunday (UK time); the first and last may be cut short by the period.",
    )


def root_cause_table(report):
    labels = dict(Product.choices)
    rows = [
        [row["root_cause__name"] or "Not recorded", labels.get(row["product"], row["product"]), row["count"],
         row["upheld"], share(row["upheld"], row["count"]), row["apologies"], row["explanations"],
         row["credits"], row["refunds"], row["redress"], row["goodwill"]]
        for row in report.root_causes()
    ]
    resolved, upheld = _sum(rows, 2), _sum(rows, 3)
    total = ["All root causes", "All products", resolved, upheld, share(upheld, resolved),
             *(_sum(rows, index) for index in range(5, 9)), _sum(rows, 9, start=Decimal("0.00")),
             _sum(rows, 10, start=Decimal("0.00"))]
    return Table(
        "root_causes", "Root causes and remedies",
        [Column("Root cause", TEXT), Column("Product", TEXT), Column("Resolved"), Column("Upheld"),
         Column("Share upheld", PERCENT), Column("Apologies"), Column("Explanations"), Column("Credits"),
         Column("Refunds"), Column("Redress paid", MONEY), Column("Goodwill paid", MONEY)],
        rows, total=total,
        note="Complaints resolved in the period. Upheld counts fully and partly upheld complaints; "
             "redress paid is the credits plus refunds on them, and goodwill paid the credits plus refunds "
             "given on complaints not upheld.",
    )


def return_table(report):
    rows, total = period_return(report)

    def cells(row):
        return [row.product, row.received, *row.closed, row.upheld, row.outstanding, row.redress, row.goodwill]

    return Table(
        "return", "Period return",
        [Column("Product", TEXT), Column("Received"), *(Column(label) for label in BANDS),
         Column("Upheld"), Column("Outstanding at the period's end"), Column("Redress paid", MONEY),
         Column("Goodwill paid", MONEY)],
        [cells(row) for row in rows], total=cells(total),
        note="Closed complaints count in exactly one band, by their latest closing date. Day 0 is the UK date "
             "received; within 4 weeks means by day 27, 4-8 weeks days 28 to 55, after 8 weeks day 56 on. "
             "Business days are Monday to Friday except England and Wales bank holidays. Upheld, redress and "
             "goodwill count complaints closed in the period (goodwill: money given on complaints not upheld, "
             "apart from redress); outstanding counts those received by the period's end "
             "and not closed by then (a complaint reopened since counts as outstanding).",
    )


def _sum(rows, index, start=0, value=lambda cell: cell):
    return sum((value(row[index]) for row in rows), start)


TABLES = {
    "headline": headline_table,
    "age": age_table,
    "forecast": forecast_table,
    "trends": trends_table,
    "root_causes": root_cause_table,
    "return": return_table,
}


def build_all(scope, now=None):
    """Build every table, reading each figure the tables share once."""
    report = Figures(scope, now)
    with room_to_group():
        return {slug: builder(report) for slug, builder in TABLES.items()}


def chart_data(tables):
    """Return what the charts draw: the very numbers the trend and age tables show."""
    trends, age = tables["trends"], tables["age"]
    return {
        "trends": {
            "labels": [f"{week:%-d %b %Y}" for week, _received, _resolved in trends.rows],
            "received": [received for _week, received, _resolved in trends.rows],
            "resolved": [resolved for _week, _received, resolved in trends.rows],
        },
        "age": {
            "labels": [column.label for column in age.columns[1:-1]],
            "series": [{"label": row[0], "data": row[1:-1]} for row in age.rows],
        },
    }
