"""Benchmark: ADQL parse and translate time of typical queries, after warm-up.

    .venv/bin/python bench/bench_adql.py

Reports the median over 2000 runs of tokenising only (the baseline, measured in
the same run: one compiled regular expression over the text), parsing (LALR
with the AST built inline, plus the syntactic checks), and parse + resolve +
emit (translate) for PostgreSQL and SQLite.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

from obsportal.adql import parse, translate
from obsportal.adql.parser import AdqlLexer, _parser

QUERIES = {
    "cone (5 lines)": """SELECT TOP 100 obs_id, target_name, instrument_name, instrument_mode,
       configuration, t_min, exp_lst_start, exp_lst_end
FROM ivoa.obscore
WHERE 1 = CONTAINS(POINT('ICRS', s_ra, s_dec), CIRCLE('ICRS', 83.82, -5.39, 30/3600.))
ORDER BY t_min""",
    "join + group (5 lines)": """SELECT o.night, o.configuration, COUNT(*) AS n, MIN(e.tau0)
FROM obsportal.ob_exec AS o JOIN obsportal.exposure AS e ON e.ob_exec_id = o.ob_exec_id
WHERE o.instrument_name = 'GRAVITY' AND o.night BETWEEN '2023-01-01' AND '2023-12-31'
GROUP BY o.night, o.configuration
ORDER BY o.night""",
}


def _median_us(fn: Callable[[], object], runs: int = 2000) -> float:
    for _ in range(200):
        fn()
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples) * 1e6


def main() -> None:
    print("| query | tokenise (baseline) | parse + checks | translate PostgreSQL | "
          "translate SQLite |")
    print("|---|---|---|---|---|")
    lexer = AdqlLexer(_parser().lexer_conf)
    for name, text in QUERIES.items():
        base = _median_us(lambda t=text: list(lexer.lex(t)))  # type: ignore[misc]
        parsed = _median_us(lambda t=text: parse(t))  # type: ignore[misc]
        pg = _median_us(lambda t=text: translate(t, dialect="postgresql"))  # type: ignore[misc]
        lite = _median_us(lambda t=text: translate(t, dialect="sqlite"))  # type: ignore[misc]
        print(f"| {name} | {base:.0f} µs | {parsed:.0f} µs ({parsed / base:.2f}×) | "
              f"{pg:.0f} µs ({pg / base:.2f}×) | {lite:.0f} µs ({lite / base:.2f}×) |")


if __name__ == "__main__":
    main()
