#!/usr/bin/env python3
"""The reference `perfreport report` is measured against: the same report of one Locust run,
written the way one would with pandas, matplotlib and jinja2.

    python3 scripts/reference-report.py PREFIX OUT.html

Reads PREFIX_stats.csv and PREFIX_stats_history.csv (and PREFIX_failures.csv when there is
one) with pandas.read_csv and writes one self-contained HTML file holding what perfreport's
report of a single run holds, chart for chart and table for table: requests and failures per
second, users, and the p50/p95/p99 of all requests over time; p50/p95/p99 over time of the 8
slowest endpoints (by p95); the p95 of the 30 slowest endpoints as bars; the response-time
distribution (from the percentile columns) of all requests and the 4 slowest endpoints; the
drift table (mean, slope per minute with its 95 % interval, change over the steady window, for
p50, p95 and requests/s of every endpoint, the steady window being the rows at the peak user
count); the requests, percentiles and failures tables. Inline SVG, HTML tables.

Idiomatic pandas (vectorised columns, groupby aggregates, no Python loop over rows),
matplotlib's SVG backend with one figure per chart, closed once drawn, nothing computed twice.
Used by scripts/bench-ratios.sh, which times it against `perfreport report` in the same run.
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
<h3>Endurance: drift over the steady window</h3>
{{ drift }}
<h3>Response-time percentiles over time, per endpoint</h3>
<div class="grid">{% for svg in small_multiples %}{{ svg }}{% endfor %}</div>
<h3>Response times per endpoint</h3>
{% for svg in distribution %}{{ svg }}{% endfor %}
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


def drift(history):
    """Per endpoint and metric over the steady window: mean, least-squares slope per minute
    with its 95 % interval, and the change the slope makes over the window, in percent."""
    steady = history[history["User Count"] == history["User Count"].max()]
    long = steady.melt(id_vars=["Type", "Name", "minutes"], value_vars=["50%", "95%", "Requests/s"],
                       var_name="metric", value_name="y").dropna()
    long["ty"] = long["minutes"] * long["y"]
    long["tt"] = long["minutes"] ** 2
    long["yy"] = long["y"] ** 2
    g = long.groupby(["Type", "Name", "metric"], sort=False).agg(
        n=("y", "size"), t=("minutes", "mean"), y=("y", "mean"), ty=("ty", "mean"),
        tt=("tt", "mean"), yy=("yy", "mean"), span=("minutes", lambda m: m.max() - m.min()))
    var_t = g["tt"] - g["t"] ** 2
    slope = (g["ty"] - g["t"] * g["y"]) / var_t
    residual = (g["yy"] - g["y"] ** 2 - slope ** 2 * var_t).clip(lower=0) * g["n"] / (g["n"] - 2)
    half = 1.96 * (residual / (g["n"] * var_t)) ** 0.5
    change = 100 * slope * g["span"] / g["y"].where(g["y"] != 0)
    table = pd.DataFrame({"Mean": g["y"].round(2), "Slope/min": slope.round(3),
                          "95% interval": (slope - half).round(3).astype(str) + " … "
                          + (slope + half).round(3).astype(str),
                          "Change": change.round(1).astype(str) + "%",
                          "Verdict": ((slope - half > 0) | (slope + half < 0)).map(
                              {True: "drifting", False: "steady"})})
    table.loc[slope.isna(), "Verdict"] = "too few points"
    return table.reset_index().rename(columns={"metric": "Metric"})


def main(prefix, out_path):
    stats = pd.read_csv(prefix + "_stats.csv")
    history = pd.read_csv(prefix + "_stats_history.csv")
    failures_path = prefix + "_failures.csv"
    failures = pd.read_csv(failures_path) if os.path.exists(failures_path) else pd.DataFrame()

    stats["Type"] = stats["Type"].fillna("")
    history["Type"] = history["Type"].fillna("")
    history["minutes"] = (history["Timestamp"] - history["Timestamp"].min()) / 60
    aggregated = history[history["Name"] == "Aggregated"]
    per_endpoint = stats[stats["Name"] != "Aggregated"].copy()
    per_endpoint["label"] = (per_endpoint["Type"] + " " + per_endpoint["Name"]).str.strip()
    slowest = per_endpoint.sort_values("95%", ascending=False)
    levels = [c for c in stats.columns if c.endswith("%")]

    over_time = [
        line_chart("Throughput over time", aggregated["minutes"],
                   {"requests/s": aggregated["Requests/s"],
                    "failures/s": aggregated["Failures/s"]}, ylabel="per second"),
        line_chart("Users over time", aggregated["minutes"],
                   {"users": aggregated["User Count"]}, ylabel="users"),
        line_chart("Response-time percentiles over time, all requests", aggregated["minutes"],
                   {level: aggregated[level] for level in ["50%", "95%", "99%"]}),
    ]
    top = history.merge(slowest.head(8)[["Type", "Name", "label"]], on=["Type", "Name"])
    small_multiples = [
        line_chart(label, rows["minutes"], {p: rows[p] for p in ["50%", "95%", "99%"]},
                   size=(4, 2.2))
        for label, rows in top.groupby("label", sort=False)
    ]

    bars = slowest.head(30)
    fig, ax = plt.subplots(figsize=(9, 0.25 * len(bars) + 1))
    ax.barh(bars["label"], bars["95%"])
    ax.bar_label(ax.containers[0], fmt="%d ms", fontsize="small")
    ax.invert_yaxis()
    ax.set_title("95th percentile response time per endpoint (whole run)")
    ax.set_xlabel("p95 response time (ms)")
    p95_bars = svg(fig)

    fig, ax = plt.subplots(figsize=(9, 4))
    shares = [float(level.rstrip("%")) for level in levels]
    curves = pd.concat([stats[stats["Name"] == "Aggregated"].assign(label="Aggregated"),
                        slowest.head(4)])
    for _, row in curves.iterrows():
        ax.plot(row[levels].astype(float), shares, label=row["label"], linewidth=1)
    ax.set_xscale("log")
    ax.set_title("Response-time distribution (from the percentile columns)")
    ax.set_xlabel("response time (ms, logarithmic)")
    ax.set_ylabel("requests at or below (%)")
    ax.legend(fontsize="small")
    distribution = svg(fig)

    requests = stats[["Type", "Name", "Request Count", "Failure Count", "Average Response Time",
                      "Min Response Time", "Max Response Time", "Median Response Time",
                      "Requests/s", "Average Content Size"]].copy()
    requests.insert(4, "fail %", 100 * requests["Failure Count"]
                    / requests["Request Count"].where(requests["Request Count"] > 0))
    duration = int(history["Timestamp"].max() - history["Timestamp"].min())
    total = stats[stats["Name"] == "Aggregated"].iloc[0]
    summary = (f"{len(per_endpoint)} endpoints, {int(total['Request Count']):,} requests over "
               f"{duration // 60} min {duration % 60} s, {int(total['Failure Count']):,} failed")

    page = PAGE.render(
        name=os.path.basename(prefix),
        summary=summary,
        over_time=over_time,
        drift=markup_table(drift(history)),
        small_multiples=small_multiples,
        distribution=[p95_bars, distribution],
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
