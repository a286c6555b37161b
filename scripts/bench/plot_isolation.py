#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Plot the isolation benchmark (scripts/bench/isolation.sh).

usage: plot_isolation.py RESULT.json OUT.png

Left: the victim's p99 round-trip time against the adversary's flood rate,
enforcement off and on, with the no-adversary p99 of each mode and the
targets' lines (3x the reference without enforcement, 1.5x with it).
Right: the adversary's measured CPU share, with its configured share.
"""
import json
import sys

import matplotlib

matplotlib.use('Agg')
import matplotlib.pyplot as plt  # noqa: E402  (after use())
from matplotlib.ticker import FixedLocator, NullFormatter, ScalarFormatter  # noqa: E402


def median(values):
    values = sorted(values)
    mid = len(values) // 2
    return values[mid] if len(values) % 2 else (values[mid - 1] + values[mid]) / 2


def latency_points(result, enforcement):
    """Per flood rate, the median of the runs at that rate, as the targets
    take it."""
    by_rate = {}
    for r in result['runs']:
        if r['phase'] == 'latency' and r['enforcement'] == enforcement:
            by_rate.setdefault(r['rate'], []).append(r)
    return [{'rate': rate,
             'p99': median([r['victim_rtt']['p99_us'] for r in runs]),
             'p50': median([r['victim_rtt']['p50_us'] for r in runs]),
             'share': median([r['burner']['share'] for r in runs])}
            for rate, runs in sorted(by_rate.items())]


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__.strip())
    with open(sys.argv[1]) as f:
        result = json.load(f)
    cfg = result['config']
    ref = result['reference_p99_us']
    spin_s = cfg['spin_ns'] / 1e9

    fig, (lat, share) = plt.subplots(1, 2, figsize=(12, 4.8))
    styles = {'off': ('tab:red', 'o', 'enforcement off'),
              'on': ('tab:blue', 's', 'enforcement on')}
    rates = []
    for mode, (color, marker, label) in styles.items():
        points = latency_points(result, mode)
        if not points:
            continue
        rates = [p['rate'] for p in points]
        lat.plot(rates, [p['p99'] for p in points],
                 color=color, marker=marker, label=label + ': victim p99')
        lat.plot(rates, [p['p50'] for p in points],
                 color=color, marker=marker, linestyle=':', alpha=0.6,
                 label=label + ': victim p50')
        share.plot(rates, [p['share'] for p in points],
                   color=color, marker=marker, label=label)
    if ref.get('off'):
        lat.axhline(ref['off'], color='tab:red', linewidth=0.8,
                    linestyle='-', alpha=0.5,
                    label='no adversary p99 (off): %.0f us' % ref['off'])
        lat.axhline(3 * ref['off'], color='tab:red', linestyle='--',
                    label='3x no-adversary p99 (off): target above')
    if ref.get('on'):
        lat.axhline(ref['on'], color='tab:blue', linewidth=0.8,
                    linestyle='-', alpha=0.5,
                    label='no adversary p99 (on): %.0f us' % ref['on'])
        lat.axhline(1.5 * ref['on'], color='tab:blue', linestyle='--',
                    label='1.5x no-adversary p99 (on): target below')
    lat.set_yscale('log')
    # Plain microseconds on the log axis: 100, 200, 500, 1000, ...
    lat.yaxis.set_major_locator(FixedLocator(
        [m * 10 ** e for e in range(1, 7) for m in (1, 2, 5)]))
    lat.yaxis.set_major_formatter(ScalarFormatter())
    lat.yaxis.set_minor_formatter(NullFormatter())
    lat.set_xlabel('adversary flood (packets/s; demand = rate x %.0f us)'
                   % (cfg['spin_ns'] / 1000))
    lat.set_ylabel('victim round-trip time (us, log)')
    lat.set_title('Victim latency, %d request%s in flight'
                  % (cfg['inflight'], '' if cfg['inflight'] == 1 else 's'))
    lat.grid(True, which='both', alpha=0.3)
    lat.legend(fontsize=7)

    share.axhline(cfg['burner_share'], color='black', linestyle='--',
                  label='configured share: %g%%' % cfg['burner_share'])
    share.axhspan(cfg['burner_share'] * 0.9, cfg['burner_share'] * 1.1,
                  color='gray', alpha=0.2, label='within 10%')
    if rates:
        share.plot(rates, [100 * r * spin_s for r in rates], color='gray',
                   linestyle=':', label='demand of the spin alone')
    share.set_ylim(0, 110)
    share.set_xlabel('adversary flood (packets/s)')
    share.set_ylabel('adversary CPU share (% of one CPU)')
    share.set_title('Adversary share (handler + infra cycles / elapsed)')
    share.grid(True, alpha=0.3)
    share.legend(fontsize=7)

    fig.suptitle('Chamelio time protection: victim %g%%, adversary %g%% '
                 '(burst %s, %.0f us per packet); emulated, compare ratios'
                 % (cfg['victim_share'], cfg['burner_share'], cfg['burst'],
                    cfg['spin_ns'] / 1000), fontsize=9)
    fig.tight_layout()
    fig.savefig(sys.argv[2], dpi=110)


if __name__ == '__main__':
    main()
