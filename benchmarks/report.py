"""Format the benchmark's results: the throughput table, the targets and the resource run."""

import statistics

# Targets for the rendered project's worker, as (worker class, other variant, minimum
# ratio of the template's throughput to that variant's), from the per-round ratios.
TARGETS = [
    ("SimpleWorker", "bare", 0.97),
    ("Worker", "bare", 0.7),
    ("Worker", "create-app", 2.0),
    ("Worker", "flask-rq", 10.0),
]

HEADER = (
    f"{'worker':<13} {'variant':<20} {'jobs':>6} {'jobs/s median':>14} {'min':>8} {'max':>8} "
    f"{'ms/job':>8} {'+ms/job':>8} {'body ms':>8} {'ratio to bare':>14}"
)


def paired_ratios(runs, reference_runs):
    """Return the ratio of throughputs round by round, where both were measured back to back."""
    return [
        run.jobs_per_second / reference.jobs_per_second
        for run, reference in zip(runs, reference_runs, strict=True)
    ]


def median_ratio(results, worker_class, key, reference_key):
    runs = results.get((worker_class, key))
    references = results.get((worker_class, reference_key))
    if not runs or not references:
        return None

    return statistics.median(paired_ratios(runs, references))


def table_lines(results, variants, worker_classes, skipped):
    """Return the table: one row per worker class and variant, or the reason it is missing.

    `+ms/job` and the ratio are medians of per-round differences and ratios to bare RQ,
    whose runs were made back to back. `skipped` maps a variant key to the reason it was
    not measured.
    """
    lines = [HEADER, "-" * len(HEADER)]

    for worker_class in worker_classes:
        bare_runs = results[(worker_class, "bare")]
        for key, label in variants:
            if key in skipped:
                lines.append(f"{worker_class:<13} {label:<20} not measured: {skipped[key]}")
                continue

            runs = results[(worker_class, key)]
            rates = [run.jobs_per_second for run in runs]
            ms = statistics.median(run.ms_per_job for run in runs)
            extra_ms = statistics.median(
                run.ms_per_job - bare.ms_per_job for run, bare in zip(runs, bare_runs, strict=True)
            )
            body = statistics.median(run.body_ms for run in runs)
            ratio = median_ratio(results, worker_class, key, "bare")
            lines.append(
                f"{worker_class:<13} {label:<20} {runs[0].jobs:>6} "
                f"{statistics.median(rates):>14.1f} {min(rates):>8.1f} {max(rates):>8.1f} "
                f"{ms:>8.3f} {extra_ms:>8.3f} {body:>8.3f} {ratio:>14.3f}"
            )

    return lines


def target_lines(results):
    """Return one line per target: the measured ratio and whether it is met."""
    lines = []
    for worker_class, reference, minimum in TARGETS:
        ratio = median_ratio(results, worker_class, "template", reference)
        name = f"{worker_class}: this template / {reference}"
        if ratio is None:
            lines.append(f"target {name} >= {minimum}: not measured")
        else:
            verdict = "met" if ratio >= minimum else "MISSED"
            lines.append(f"target {name} >= {minimum}: {ratio:.3f} {verdict}")

    return lines


def resource_lines(worker_class, samples):
    """Return the resource samples of one long run, and the growth from first to last."""
    lines = [
        f"{worker_class} {samples[0]['process']}: "
        f"{'jobs done':>9} {'RSS MiB':>8} {'open fds':>9} {'engines':>8}"
    ]
    for sample in samples:
        lines.append(
            f"{'':>{len(worker_class) + len(samples[0]['process']) + 2}} {sample['jobs']:>9} "
            f"{sample['rss_kib'] / 1024:>8.1f} {sample['open_fds']:>9} {sample['engines']:>8}"
        )

    first, last = samples[0], samples[-1]
    lines.append(
        f"growth over {last['jobs']} jobs: RSS {(last['rss_kib'] - first['rss_kib']) / 1024:+.1f} "
        f"MiB, open fds {last['open_fds'] - first['open_fds']:+d}, "
        f"engines {last['engines'] - first['engines']:+d}"
    )
    return lines
