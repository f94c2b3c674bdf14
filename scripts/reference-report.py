#!/usr/bin/env python3
"""The reference `perfreport report` is measured against: the same report of one Locust run,
written the way one would with pandas, matplotlib and jinja2.

    python3 scripts/reference-report.py PREFIX OUT.html

Reads PREFIX_stats.csv and PREFIX_stats_history.csv (and PREFIX_failures.csv when there is
one) with pandas.read_csv, and writes one self-contained HTML file holding what perfreport's
report on a single run holds, in kind: the charts over time (requests and failures per second,
users, the response-time percentiles of all requests), one small chart of p50/p95 over time per
endpoint, a chart of each endpoint's p50/p95/p99, and the tables of requests, percentiles and
failures, as inline SVG and HTML tables. Idiomatic pandas (vectorised, groupby), matplotlib's
SVG backend with one figure per chart, closed when drawn; nothing is done twice. Used by
scripts/bench-ratios.sh, which times it against `perfreport report` in the same run.
"""

import io
import os
import sys

import jinja2
import matplotlib

matplotlib.use("svg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
from markupsafe import Markup  # noqa: E402

PAGE = jinja2.Template(
    """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Load test report: {{ name }}</title>
<style>body{font-family:sans-serif;max-width:1200px;margin:auto}
table{border-collapse:collapse}td,th{padding:2px 6px;border-bottom:1px solid #ddd}
.grid{display:grid;grid-template-columns:repeat(3,1fr)}</style></head><body>
<h1>Load test report</h1>
<h2>Run {{ name }}</h2>
<p>{{ summary }}</p>
<h3>Over time</h3>
{% for svg in over_time %}{{ svg }}{% endfor %}
<h3>Response-time percentiles over time, per endpoint</h3>
<div class="grid">{% for svg in small_multiples %}{{ svg }}{% endfor %}</div>
<h3>Response times per endpoint</h3>
{{ distribution }}
<h3>Requests</h3>
{{ requests }}
<h3>Response time percentiles (ms)</h3>
{{ percentiles }}
<h3>Failures</h3>
{{ failures }}
</body></html>
""",
    autoescape=True,
)


def svg(fig):
    """The figure as SVG markup that jinja2 does not escape, the figure closed."""
    out = io.StringIO()
    fig.savefig(out, format="svg", bbox_inches="tight")
    plt.close(fig)
    text = out.getvalue()
    return Markup(text[text.index("<svg"):])


def line_chart(title, x, columns, size=(9, 3), ylabel="ms"):
    """One chart of a few series over time."""
    fig, ax = plt.subplots(figsize=size)
    for label, values in columns.items():
        ax.plot(x, values, label=label, linewidth=1)
    ax.set_title(title)
    ax.set_xlabel("minutes into the run")
    ax.set_ylabel(ylabel)
    ax.grid(alpha=0.3)
    ax.legend(loc="upper left", fontsize="small")
    return svg(fig)


def main(prefix, out_path):
    stats = pd.read_csv(prefix + "_stats.csv")
    history = pd.read_csv(prefix + "_stats_history.csv")
    failures_path = prefix + "_failures.csv"
    failures = pd.read_csv(failures_path) if os.path.exists(failures_path) else pd.DataFrame()

    stats["Type"] = stats["Type"].fillna("")
    history["Type"] = history["Type"].fillna("")
    history["minutes"] = (history["Timestamp"] - history["Timestamp"].min()) / 60
    aggregated = history[history["Name"] == "Aggregated"]
    endpoints = history[history["Name"] != "Aggregated"]

    over_time = [
        line_chart("Requests and failures per second", aggregated["minutes"],
                   {"requests/s": aggregated["Requests/s"],
                    "failures/s": aggregated["Failures/s"]}, ylabel="per second"),
        line_chart("Users", aggregated["minutes"], {"users": aggregated["User Count"]},
                   ylabel="users"),
        line_chart("Response-time percentiles over time, all requests", aggregated["minutes"],
                   {level: aggregated[level] for level in ["50%", "95%", "99%"]}),
    ]
    small_multiples = [
        line_chart(f"{kind} {name}", rows["minutes"], {"p50": rows["50%"], "p95": rows["95%"]},
                   size=(4, 2.2))
        for (kind, name), rows in endpoints.groupby(["Type", "Name"], sort=False)
    ]

    per_endpoint = stats[stats["Name"] != "Aggregated"]
    labels = (per_endpoint["Type"] + " " + per_endpoint["Name"]).str.strip()
    fig, ax = plt.subplots(figsize=(9, 0.25 * len(per_endpoint) + 1))
    per_endpoint.set_index(labels)[["50%", "95%", "99%"]].plot.barh(ax=ax, width=0.8)
    ax.invert_yaxis()
    ax.set_title("p50, p95 and p99 per endpoint")
    ax.set_xlabel("ms")
    distribution = svg(fig)

    requests = stats[["Type", "Name", "Request Count", "Failure Count", "Requests/s",
                      "Failures/s", "Average Response Time", "Min Response Time",
                      "Max Response Time", "Median Response Time"]].copy()
    requests.insert(4, "Failure %", 100 * requests["Failure Count"]
                    / requests["Request Count"].where(requests["Request Count"] > 0))
    levels = [c for c in stats.columns if c.endswith("%")]
    duration = history["Timestamp"].max() - history["Timestamp"].min()
    total = stats[stats["Name"] == "Aggregated"].iloc[0]
    summary = (f"{len(per_endpoint)} endpoints, {int(total['Request Count']):,} requests over "
               f"{duration // 60} min {duration % 60} s, {int(total['Failure Count']):,} failed")

    page = PAGE.render(
        name=os.path.basename(prefix),
        summary=summary,
        over_time=over_time,
        small_multiples=small_multiples,
        distribution=distribution,
        requests=markup_table(requests.round(2)),
        percentiles=markup_table(stats[["Type", "Name", *levels]]),
        failures=markup_table(failures) if len(failures) else "No failures.",
    )
    with open(out_path, "w", encoding="utf-8") as out:
        out.write(page)


def markup_table(frame):
    """A table as HTML that jinja2 does not escape (pandas escapes the cells)."""
    return Markup(frame.to_html(index=False, na_rep="", escape=True))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
