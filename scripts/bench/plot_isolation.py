#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Plot the isolation benchmark (scripts/bench/isolation.sh).

usage: plot_isolation.py RESULT.json OUT.png

Left: the victim's p99 round-trip time against the adversary's load
(flood rate, with the number of adversary tenants), enforcement off and
on, and against the null adversary (the same flood, no work); the
no-adversary p99, the 1.5x target, and isolation.md's bound (no-adversary
p99 plus the most a victim packet may wait for the co-runners: their
bursts plus one ceiling each, over what their shares leave), computed
from the knobs of the run. The victim's module-side p99 (fast path entry
to verdict) is drawn dotted. Right: the adversaries' measured CPU share
against their configured total.
"""
import json
import sys

import matplotlib

matplotlib.use('Agg')
import matplotlib.pyplot as plt  # noqa: E402  (after use())
from matplotlib.ticker import FixedLocator, NullFormatter, ScalarFormatter  # noqa: E402


def series(steps, mode, key):
    return [s[mode][key] if s.get(mode) and s[mode].get(key) is not None
            else float('nan') for s in steps]


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__.strip())
    with open(sys.argv[1]) as f:
        result = json.load(f)
    cfg = result['config']
    ref = result['reference_p99_us']
    steps = result['steps']
    rates = [s['rate'] for s in steps]
    labels = ['%d\n(%d tenant%s)' % (s['rate'], s['tenants'],
                                     '' if s['tenants'] == 1 else 's')
              for s in steps]

    fig, (lat, share) = plt.subplots(1, 2, figsize=(13, 5),
                                     gridspec_kw={'width_ratios': [3, 2]})
    styles = [('off', 'tab:red', 'o', 'enforcement off'),
              ('on', 'tab:blue', 's', 'enforcement on'),
              ('null', 'tab:gray', '^', 'null adversary (same flood, no work), on')]
    for mode, color, marker, label in styles:
        p99 = series(steps, mode, 'p99_us')
        if all(v != v for v in p99):
            continue
        lat.plot(rates, p99, color=color, marker=marker,
                 label=label + ': victim p99')
        module = [v / 1000 for v in series(steps, mode, 'module_p99_ns')]
        if mode != 'null' and not all(v != v for v in module):
            lat.plot(rates, module, color=color, marker=marker, linestyle=':',
                     alpha=0.6, label=label + ': module-side p99')
    if ref.get('on'):
        lat.axhline(ref['on'], color='tab:blue', linewidth=0.8, alpha=0.5,
                    label='no adversary p99 (on): %.0f us' % ref['on'])
        lat.axhline(1.5 * ref['on'], color='tab:blue', linestyle='--',
                    label='1.5x no-adversary p99: target, on')
        lat.axhline(10 * ref['off'], color='tab:red', linestyle='--',
                    alpha=0.6, label='10x no-adversary p99: target, off')
        lat.plot(rates, [ref['on'] + s['bound_us'] for s in steps],
                 color='black', linestyle='-.', drawstyle='steps-mid',
                 label='bound: no-adversary p99 + sum(burst + ceiling) / (1 - sum(share))')
    lat.set_yscale('log')
    lat.yaxis.set_major_locator(FixedLocator(
        [m * 10 ** e for e in range(-1, 7) for m in (1, 2, 5)]))
    lat.yaxis.set_major_formatter(ScalarFormatter())
    lat.yaxis.set_minor_formatter(NullFormatter())
    lat.set_xticks(rates)
    lat.set_xticklabels(labels, fontsize=7)
    lat.set_xlabel('adversary flood (packets/s, spread over the tenants; '
                   '%.0f us of work per packet)' % (cfg['spin_ns'] / 1000))
    lat.set_ylabel('victim latency (us, log)')
    lat.set_title('Victim: round trip p99, and the module\'s fast-path p99')
    lat.grid(True, which='both', alpha=0.3)
    # Below the bound, which runs along the top.
    lat.legend(fontsize=6.5, loc='upper left', bbox_to_anchor=(0, 0.88))

    for mode, color, marker, label in styles[:2]:
        share.plot(rates, series(steps, mode, 'adversary_share'),
                   color=color, marker=marker, label=label)
    configured = [s['configured_share'] for s in steps]
    share.plot(rates, configured, color='black', linestyle='--',
               drawstyle='steps-mid', label='configured (sum of the tenants)')
    share.fill_between(rates, [c * 0.95 for c in configured],
                       [c * 1.05 for c in configured], step='mid',
                       color='gray', alpha=0.2, label='within 5%')
    share.set_ylim(0, 105)
    share.set_xticks(rates)
    share.set_xticklabels(labels, fontsize=7)
    share.set_xlabel('adversary flood (packets/s)')
    share.set_ylabel('adversary CPU share (% of one CPU)')
    share.set_title('Adversaries\' share (handler + infra cycles / elapsed)')
    share.grid(True, alpha=0.3)
    share.legend(fontsize=7)

    fig.suptitle('Chamelio time protection (%s mode): victim %g%%, adversaries '
                 '%g%% each, default burst and ceiling; long calls (%.0f us, '
                 'not drawn) in the JSON'
                 % (result.get('mode', '?'), cfg['victim_share'],
                    cfg['adversary_share'], cfg['long_spin_ns'] / 1000),
                 fontsize=9)
    fig.tight_layout()
    fig.savefig(sys.argv[2], dpi=110)


if __name__ == '__main__':
    main()
