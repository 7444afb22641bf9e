"""The bench's results as tables on the terminal."""

from __future__ import annotations


def print_results(results: dict) -> None:
    print(
        f"\nSUTASOMA bench: {results['farmers']:,} farmers asked, {results.get('farmers_in_database', '?'):,} in the "
        f"database, {results['cpus']} CPUs".replace(",", ".")
    )
    if fixed := results.get("fixed"):
        print(
            f"\nFixed cost of a signed-in page ({fixed['role']} {fixed['path']}, SQL only the session and user): "
            f"p50 {fixed['p50_ms']} ms, p95 {fixed['p95_ms']} ms, of which SQL {fixed['floor_p50_ms']} / "
            f"{fixed['floor_p95_ms']} ms; beyond its SQL {fixed['fixed_p50_ms']} / {fixed['fixed_p95_ms']} ms. "
            "×fix: the page ÷ (its SQL + that fixed cost)."
        )
    for role, pages in results.get("pages", {}).items():
        header = ("p50 ms", "p95 ms", "SQL p50", "SQL p95", "×p50", "×p95", "×fix p50", "×fix p95", "queries")
        print(f"\n{role:<20}" + "".join(f"{h:>9}" for h in header))
        for name, page in pages.items():
            if "p50_ms" not in page:
                print(f"  {name:<18} (answers {page['status']} to this role)")
                continue
            columns = ("p50_ms", "p95_ms", "floor_p50_ms", "floor_p95_ms", "ratio_p50", "ratio_p95")
            columns += ("ratio_fixed_p50", "ratio_fixed_p95", "queries")
            print(f"  {name:<18}" + "".join(f"{page.get(c, '–'):>9}" for c in columns))
    if load := results.get("load"):
        print(
            f"\nLoad: {load['users']} users for {load['duration_s']} s: {load['requests']} requests "
            f"({load['requests_per_s']}/s), {load['failures']} errors, p50 {load['p50_ms']} ms, p95 {load['p95_ms']} ms"
        )
        for name, row in load["by_request"].items():
            print(f"  {name:<22} {row['requests']:>6} requests {row['failures']:>4} errors  p95 {row['p95_ms']:>7} ms")
        for reason in load["failure_reasons"]:
            print(f"  ! {reason}")
    if sizes := results.get("gunicorn_worker_rss_mb"):
        print(f"\ngunicorn workers after the run: {', '.join(f'{mb} MB' for mb in sizes)} resident")
    for line in results.get("gunicorn_problems", []):
        print(f"  gunicorn: {line}")
    if imported := results.get("import"):
        rows, copy = imported["rows_per_s"], imported["copy_rows_per_s"]
        print(f"\nImport of valid rows: {rows} rows/s, COPY of the same rows {copy} rows/s, ratio {rows / copy:.3f}")
    if gateway := results.get("gateway"):
        print(f"\nGateway, {gateway['registrations']} registrations: processes, raw op/s, gateway op/s, ratio")
        for n, row in gateway["by_processes"].items():
            print(f"  {n:>2} {row['raw_op_s']:>10} {row['gateway_op_s']:>10} {row['ratio']:>6}")
        if outage := gateway.get("after_outage"):
            print(
                f"  after an outage: backlog done {outage['drain_s']} s after the insurer was back "
                f"(its back-off had {outage['back_off_left_s']} s left)"
            )
    if ktp := results.get("ktp"):
        reader = ktp["reader"]
        right = ", ".join(f"{field} {share:.1%}" for field, share in reader["accuracy"].items())
        print(f"\nKTP photos read ({ktp['photos']}): {right}; {reader['cpu_seconds_per_photo']} CPU s per photo")
    if pdf := results.get("monev_pdf"):
        print(
            f"\nMonthly monev PDF of the regency: {pdf['report_s']} s, WeasyPrint alone on the same HTML "
            f"{pdf['weasyprint_alone_s']} s, ratio {pdf['ratio']}"
        )
