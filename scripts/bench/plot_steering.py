#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Plot the fast path's scaling series (scripts/bench/fastpath.sh).

usage: plot_steering.py RESULT.json OUT.png

Left: the per-packet cost of a frame to the tenant whose rule is last in
the table and of a frame no rule matches, against the number of rules (log
scale), with the target: within 10% of the cost at the smallest table.
Right: the per-packet cost against the number of tenants, each running
udp_echo behind a port of one shared address or behind an address of its
own, with the same target. Costs are instructions per packet in
icount mode, emulated nanoseconds otherwise.

Without matplotlib it says so and writes nothing (exit status 0), so
that the benchmark still ends with its table and JSON.
"""
import json
import sys

try:
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    from matplotlib.ticker import NullFormatter, ScalarFormatter
except ImportError:
    matplotlib = None

# The target: the largest step within 10% of the smallest.
TARGET = 1.10


def cost(result, point, insns_key, ns_key):
    """Instructions when the run counted them, emulated ns otherwise."""
    if result.get('mode') == 'icount' and point.get(insns_key) is not None:
        return point[insns_key]
    return point[ns_key]


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__.strip())
    if matplotlib is None:
        print('plot_steering: matplotlib is missing (apt-get install '
              'python3-matplotlib): no %s' % sys.argv[2])
        return
    with open(sys.argv[1]) as f:
        result = json.load(f)
    icount = result.get('mode') == 'icount'
    unit = ('instructions per packet' if icount
            else 'emulated ns per packet (compare ratios)')

    steering = sorted(result.get('steering', []), key=lambda p: p['rules'])
    tenants = sorted(result.get('tenants', []), key=lambda p: p['tenants'])
    if not steering:
        sys.exit('plot_steering: %s has no steering series' % sys.argv[1])

    fig, (rules_ax, tenants_ax) = plt.subplots(1, 2, figsize=(12, 4.8))
    rules = [p['rules'] for p in steering]
    for key, color, marker, label in (
            ('matched', 'tab:blue', 'o', 'frame to the tenant whose rule is last'),
            ('unmatched', 'tab:red', 's', 'frame no rule matches')):
        costs = [cost(result, p, key + '_insns', key + '_median_ns')
                 for p in steering]
        rules_ax.plot(rules, costs, color=color, marker=marker, label=label)
        rules_ax.axhline(costs[0] * TARGET, color=color, linestyle='--',
                         linewidth=0.8,
                         label='target: %d%% over %d rule%s' % (
                             round((TARGET - 1) * 100), rules[0],
                             '' if rules[0] == 1 else 's'))
        for x, y in zip(rules, costs):
            rules_ax.annotate('%g' % y, (x, y), textcoords='offset points',
                              xytext=(0, 6), ha='center', fontsize=7,
                              color=color)
    rules_ax.set_xscale('log')
    rules_ax.xaxis.set_major_formatter(ScalarFormatter())
    rules_ax.xaxis.set_minor_formatter(NullFormatter())
    rules_ax.set_xticks(rules)
    rules_ax.set_ylim(0, rules_ax.get_ylim()[1] * 1.08)
    rules_ax.set_xlabel('rules in the table (log)')
    rules_ax.set_ylabel(unit)
    rules_ax.set_title('Steering: cost against rules')
    rules_ax.grid(True, which='both', alpha=0.3)
    rules_ax.legend(fontsize=7)

    if tenants:
        counts = [p['tenants'] for p in tenants]
        series = [('tab:green', 'o', 'a port each on one address',
                   [cost(result, p, 'insns', 'median_ns') for p in tenants])]
        if all('by_address' in p for p in tenants):
            series.append(('tab:purple', 's', 'an address each',
                           [cost(result, p['by_address'], 'insns', 'median_ns')
                            for p in tenants]))
        # The second series' values go below its points, clear of the first's.
        for (color, marker, label, costs), dy in zip(series, (6, -12)):
            tenants_ax.plot(counts, costs, color=color, marker=marker,
                            label='udp_echo, ' + label)
            tenants_ax.axhline(costs[0] * TARGET, color=color,
                               linestyle='--', linewidth=0.8,
                               label='target: %d%% over %d tenant%s' % (
                                   round((TARGET - 1) * 100), counts[0],
                                   '' if counts[0] == 1 else 's'))
            for x, y in zip(counts, costs):
                tenants_ax.annotate('%g' % y, (x, y), textcoords='offset points',
                                    xytext=(0, dy), ha='center', fontsize=7,
                                    color=color)
        tenants_ax.set_xscale('log')
        tenants_ax.xaxis.set_major_formatter(ScalarFormatter())
        tenants_ax.xaxis.set_minor_formatter(NullFormatter())
        tenants_ax.set_xticks(counts)
        tenants_ax.set_ylim(0, tenants_ax.get_ylim()[1] * 1.08)
        tenants_ax.legend(fontsize=7)
    tenants_ax.set_xlabel('tenants (log)')
    tenants_ax.set_ylabel(unit)
    tenants_ax.set_title('Cost against tenants')
    tenants_ax.grid(True, which='both', alpha=0.3)

    fig.suptitle('Chamelio fast path, BPF_PROG_TEST_RUN, mode %s, %s runs x '
                 '%s packets; %s' % (result.get('mode', 'tcg'),
                                     result.get('rounds'), result.get('repeat'),
                                     result.get('steering_placement', '')),
                 fontsize=8)
    fig.tight_layout()
    fig.savefig(sys.argv[2], dpi=110)
    print('bench: plot in %s' % sys.argv[2])


if __name__ == '__main__':
    main()
