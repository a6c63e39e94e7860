#!/usr/bin/env python3
"""Plots of a tightloop-bench result, as SVG, with nothing but the standard library.

usage: plot.py RESULT.json OUT_DIR
writes OUT_DIR/throughput_vs_books.svg and OUT_DIR/latency_distribution.svg
"""
import json
import math
import os
import sys

WIDTH, HEIGHT = 760, 460
LEFT, RIGHT, TOP, BOTTOM = 80, 220, 50, 60
COLORS = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2",
          "#7f7f7f", "#17becf", "#bcbd22"]


def esc(text):
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class LogLogPlot:
    """Both axes logarithmic; x and y ranges from the data."""

    def __init__(self, title, xlabel, ylabel):
        self.title, self.xlabel, self.ylabel = title, xlabel, ylabel
        self.series = []  # (label, [(x, y)], dashed)

    def add(self, label, points, dashed=False):
        points = [(x, y) for x, y in points if x > 0 and y > 0]
        if points:
            self.series.append((label, points, dashed))

    def _range(self, values):
        lo, hi = math.floor(math.log10(min(values))), math.ceil(math.log10(max(values)))
        return lo, max(hi, lo + 1)

    def render(self, xticks=None):
        xs = [x for _, pts, _ in self.series for x, _ in pts]
        ys = [y for _, pts, _ in self.series for _, y in pts]
        if not xs:
            return None
        x0, x1 = self._range(xs)
        if xticks:  # only the ticks within the data, and the axis from the first of them
            xticks = [(v, label) for v, label in xticks if v <= max(xs) * 1.01]
            x0 = min(x0, math.log10(min(v for v, _ in xticks)))
            x1 = math.log10(max(max(xs), max(v for v, _ in xticks)))
        y0, y1 = self._range(ys)
        pw, ph = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

        def px(x):
            return LEFT + (math.log10(x) - x0) / (x1 - x0) * pw

        def py(y):
            return TOP + ph - (math.log10(y) - y0) / (y1 - y0) * ph

        out = ['<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" '
               'font-family="sans-serif" font-size="12">' % (WIDTH, HEIGHT),
               '<rect width="100%" height="100%" fill="white"/>',
               '<text x="%d" y="24" font-size="15" font-weight="bold">%s</text>'
               % (LEFT, esc(self.title))]
        for e in range(y0, y1 + 1):  # y grid: decades, with 2 and 5
            for m in (1, 2, 5):
                v = m * 10 ** e
                if v > 10 ** y1:
                    break
                y = py(v)
                out.append('<line x1="%d" x2="%d" y1="%.1f" y2="%.1f" stroke="%s"/>'
                           % (LEFT, LEFT + pw, y, y, "#ccc" if m == 1 else "#eee"))
                out.append('<text x="%d" y="%.1f" text-anchor="end">%s</text>'
                           % (LEFT - 6, y + 4, fmt(v)))
        ticks = xticks or [(10 ** e, fmt(10 ** e)) for e in range(x0, x1 + 1)]
        for v, label in ticks:
            x = px(v)
            out.append('<line x1="%.1f" x2="%.1f" y1="%d" y2="%d" stroke="#ddd"/>'
                       % (x, x, TOP, TOP + ph))
            out.append('<text x="%.1f" y="%d" text-anchor="middle">%s</text>'
                       % (x, TOP + ph + 18, esc(label)))
        out.append('<rect x="%d" y="%d" width="%d" height="%d" fill="none" stroke="black"/>'
                   % (LEFT, TOP, pw, ph))
        out.append('<text x="%d" y="%d" text-anchor="middle">%s</text>'
                   % (LEFT + pw / 2, HEIGHT - 16, esc(self.xlabel)))
        out.append('<text transform="translate(18,%d) rotate(-90)" text-anchor="middle">%s</text>'
                   % (TOP + ph / 2, esc(self.ylabel)))
        for i, (label, pts, dashed) in enumerate(self.series):
            color = COLORS[i % len(COLORS)]
            path = " ".join("%.1f,%.1f" % (px(x), py(y)) for x, y in pts)
            out.append('<polyline fill="none" stroke="%s" stroke-width="2" %s points="%s"/>'
                       % (color, 'stroke-dasharray="6,4"' if dashed else "", path))
            if len(pts) <= 12:
                for x, y in pts:
                    out.append('<circle cx="%.1f" cy="%.1f" r="3" fill="%s"/>'
                               % (px(x), py(y), color))
            ly = TOP + 10 + i * 20
            out.append('<line x1="%d" x2="%d" y1="%d" y2="%d" stroke="%s" stroke-width="2" %s/>'
                       % (LEFT + pw + 12, LEFT + pw + 36, ly, ly, color,
                          'stroke-dasharray="6,4"' if dashed else ""))
            out.append('<text x="%d" y="%d">%s</text>' % (LEFT + pw + 42, ly + 4, esc(label)))
        out.append("</svg>")
        return "\n".join(out)


def fmt(v):
    if v >= 1e6:
        return "%gM" % (v / 1e6)
    if v >= 1e3:
        return "%gk" % (v / 1e3)
    return "%g" % v


def throughput_plot(doc):
    subtitle = "rev %s, %s" % (doc.get("revision", "?"), doc.get("date", "?")[:10])
    plot = LogLogPlot("Aggregate throughput vs books (%s)" % subtitle, "books running at once",
                      "orders/s (all books)")
    runs = doc.get("scenarios", {}).get("many_books", {}).get("runs", [])
    by_policy = {}
    for run in runs:
        label = "%s, %d threads" % (run["scheduler"]["policy"], run["scheduler"]["threads"])
        by_policy.setdefault(label, []).append((run["books"], run["orders_per_second"]))
    for label, pts in by_policy.items():
        plot.add(label, sorted(pts))
    for label, pts in by_policy.items():
        if "stealing" in label:
            # Results while every book still had orders: without the tail of a straggler.
            busy = [(r["books"], r["all_books_busy_orders_per_second"])
                    for r in runs if r["scheduler"]["policy"] == "stealing"]
            plot.add("stealing, all books busy", sorted(busy), dashed=True)
            one = dict(pts).get(1)
            if one:
                books = sorted(b for b, _ in pts)
                plot.add("target 1.7x one book", [(books[0], 1.7 * one), (books[-1], 1.7 * one)],
                         dashed=True)
    ticks = sorted({(r["books"], str(r["books"])) for r in runs})
    return plot.render(ticks or None)


def latency_plot(doc):
    s = doc.get("scenarios", {})
    subtitle = "rev %s, %s" % (doc.get("revision", "?"), doc.get("date", "?")[:10])
    plot = LogLogPlot("Latency distribution (%s)" % subtitle, "percentile",
                      "latency (us)")

    def spectrum(points):  # x = 1 / (1 - q): 2 at p50, 100 at p99, ...
        return [(1.0 / (1.0 - q), us) for q, us in points if 0.5 <= q < 1.0]

    for run in s.get("one_book", {}).get("runs", []):
        plot.add("one book, %d thr" % run["scheduler"]["threads"],
                 spectrum(run.get("latency_spectrum_us", [])))
    if "latency_spectrum_us" in s.get("direct", {}):
        plot.add("direct calls", spectrum(s["direct"]["latency_spectrum_us"]), dashed=True)
    for run in s.get("many_books", {}).get("runs", []):
        if run["books"] > 1 and "latency_spectrum_us" in run:
            plot.add("K=%d %s" % (run["books"], run["scheduler"]["policy"]),
                     spectrum(run["latency_spectrum_us"]))
    for run in s.get("open_loop", {}).get("runs", []):
        plot.add("open loop %d%%" % round(run["load"] * 100),
                 spectrum(run.get("latency_spectrum_us", [])), dashed=True)
    ticks = [(2, "50%"), (10, "90%"), (100, "99%"), (1e3, "99.9%"), (1e4, "99.99%"),
             (1e5, "99.999%")]
    return plot.render(ticks)


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    with open(sys.argv[1]) as f:
        doc = json.load(f)
    os.makedirs(sys.argv[2], exist_ok=True)
    for name, svg in (("throughput_vs_books.svg", throughput_plot(doc)),
                      ("latency_distribution.svg", latency_plot(doc))):
        path = os.path.join(sys.argv[2], name)
        if svg is None:
            print("plot.py: no data for %s" % name, file=sys.stderr)
            continue
        with open(path, "w") as f:
            f.write(svg + "\n")
        print(path)


if __name__ == "__main__":
    main()
