#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Check a genetlink-c YNL spec against the YNL schema and its uAPI header.

Usage: check-ynl-spec.py SPEC HEADER SCHEMA_DIR

Prints "ok - ..." or "not ok - ..." per check ("# " lines explain) and exits
1 if any failed. C names are formed the way the kernel's ynl-gen-c.py does.
"""
import os
import re
import sys

import jsonschema
import yaml

failed = False


def check(ok, what, diags=()):
    global failed
    failed |= not ok
    print('\n# '.join([('ok' if ok else 'not ok') + ' - ' + what, *diags]))


def c_upper(name):
    return name.upper().replace('-', '_')


def evaluate(expr, names):
    """Value of a #define or enum initializer: str, int or None."""
    expr = expr.strip()
    if expr.startswith('"'):
        return expr.strip('"')
    expr = re.sub(r'\b(0[xX][0-9a-fA-F]+|\d+)[uUlL]+\b', r'\1', expr)
    expr = re.sub(r'\b[A-Za-z_]\w*', lambda m: repr(names.get(m[0])), expr)
    try:
        return eval(expr, {'__builtins__': {}})
    except Exception:
        return None


def parse_header(path):
    """Map each #define and enum member to its value, "enum TAG" to True."""
    with open(path) as f:
        text = re.sub(r'/\*.*?\*/|//[^\n]*', ' ', f.read(), flags=re.S)
    names = {}
    item = re.compile(r'^[ \t]*#define[ \t]+(\w+)[ \t]+([^\n]+)'
                      r'|\benum[ \t]+(\w*)\s*\{(.*?)\}', re.M | re.S)
    for m in item.finditer(text):   # in order: a define may use enum values
        if m[1]:
            names[m[1]] = evaluate(m[2], names)
            continue
        names['enum ' + m[3]], val = True, -1
        for member in filter(None, (s.strip() for s in m[4].split(','))):
            name, _, init = member.partition('=')
            val = evaluate(init, names) if init.strip() else val + 1
            names[name.strip()] = val
    return names


def numbered(items, start):
    """Yield (item, value): values count up from start or an explicit value."""
    for it in items:
        it = it if isinstance(it, dict) else {'name': it}
        start = it.get('value', start)
        yield it, start
        start += 1


def spec_names(spec):
    """Yield (group, C name, value) for each C name the spec implies."""
    fam, ops = spec['name'], spec['operations']
    yield 'family', c_upper(spec.get('c-family-name', fam + '-family-name')), fam
    yield 'family', c_upper(spec.get('c-version-name', fam + '-family-version')), \
        spec.get('version', 1)
    for d in spec.get('definitions', []):
        group = 'definition ' + d['name']
        if d['type'] == 'const':
            yield group, c_upper(d['name'] if 'header' in d else f"{fam}-{d['name']}"), d['value']
            continue
        pfx = d.get('name-prefix', f"{fam}-{d['name']}-")
        for e, val in numbered(d['entries'], d.get('value-start', 0)):
            yield group, c_upper(pfx + e['name']), val if d['type'] == 'enum' else 1 << val
        if d.get('render-max') and d['type'] == 'enum':
            yield group, '__' + c_upper(pfx + 'max'), val + 1
    for s in spec['attribute-sets']:
        if 'subset-of' in s:
            continue
        group = 'set ' + s['name']
        pfx = s.get('name-prefix', f"{fam}-a-" + ('' if s['name'] == fam else s['name'] + '-'))
        for a, val in numbered(s['attributes'], 1):
            yield group, c_upper(a.get('name-prefix', pfx) + a['name']), val
        yield group, c_upper(s.get('attr-cnt-name', '__' + pfx + 'max')), val + 1
        yield group, c_upper(s.get('attr-max-name', pfx + 'max')), val
    pfx = ops.get('name-prefix', f"{fam}-cmd-")
    for op, val in numbered(ops['list'], 1):
        yield 'operations', c_upper(pfx + op['name']), val
    yield 'operations', c_upper(spec.get('cmd-cnt-name', '__' + pfx + 'max')), val + 1
    yield 'operations', c_upper(spec.get('cmd-max-name', pfx + 'max')), val
    for group, x in ([('operations', ops)] + [('set ' + s['name'], s) for s in spec['attribute-sets']]
                     + [('definition ' + d['name'], d) for d in spec.get('definitions', [])]):
        if x.get('enum-name'):
            yield group, 'enum ' + x['enum-name'].replace('-', '_'), True


def check_counters(spec, group, aset, enum, header):
    """A counter nest has no C names: each u64 counter's type is its enum
    value + the const *counter-base (default 1); pads have type *counter-pad."""
    consts = {d['name']: d['value'] for d in spec['definitions'] if d['type'] == 'const'}
    base = next((v for n, v in consts.items() if n.endswith('counter-base')), 1)
    pad = next((v for n, v in consts.items() if n.endswith('counter-pad')), None)
    pfx, diags = c_upper(enum['name-prefix']), []
    for a, v in numbered(aset['attributes'], 1):
        cname = pfx + c_upper(a['name'])
        if a['type'] == 'pad' and pad is not None and v != pad:
            diags.append(f"{a['name']}: type {v} is not the counter pad {pad}")
        elif a['type'] not in ('pad', 'u64'):
            diags.append(f"{a['name']} is {a['type']}, not u64")
        elif a['type'] == 'u64' and header.get(cname) != v - base:
            diags.append(f"{a['name']}: type {v} is not {cname} + {base}")
    check(not diags, f"{group}: counter types are {enum['name']} + {base}", diags)


def main(spec_path, header_path, schema_dir):
    with open(spec_path) as f:
        spec = yaml.safe_load(f)
    with open(os.path.join(schema_dir, 'genetlink-c.yaml')) as f:
        schema = yaml.safe_load(f)
    errors = list(jsonschema.Draft7Validator(schema).iter_errors(spec))
    check(not errors, 'spec validates against genetlink-c.yaml',
          ['/'.join(map(str, e.path)) + ': ' + e.message for e in errors])
    if errors:
        return

    sets = {s['name']: s for s in spec['attribute-sets']}
    enums = {d['name']: d for d in spec.get('definitions', []) if d['type'] != 'const'}
    bad = [f"{s}.{a['name']}: no such {key} {a[key]}" for s in sets for a in sets[s]['attributes']
           for key, known in (('nested-attributes', sets), ('enum', enums))
           if key in a and a[key] not in known]
    for op in spec['operations']['list']:
        known = {a['name'] for a in sets.get(op.get('attribute-set'), {}).get('attributes', [])}
        bad += [f"{op['name']} {mode} {msg}: no such attribute {a}"
                for mode in ('do', 'dump') for msg in ('request', 'reply')
                for a in op.get(mode, {}).get(msg, {}).get('attributes', []) if a not in known]
    check(not bad, 'references to sets, enums and attributes resolve', bad)

    # Spec -> header: each C name exists in the header with the same value.
    header, groups = parse_header(header_path), {}
    for group, cname, val in spec_names(spec):
        groups.setdefault(group, []).append((cname, val))
    for group, names in groups.items():
        aset = sets.get(group[4:]) if group.startswith('set ') else None
        counted = aset and [a['name'] for a in aset['attributes'] if a['type'] != 'pad']
        enum = aset and next((e for e in enums.values() if counted ==
                              [x['name'] for x, _ in numbered(e['entries'], 0)]), None)
        if enum and not any(n in header for n, _ in names):
            check_counters(spec, group, aset, enum, header)
            continue
        diags = [f"{n} = {v!r} is not in the header" if n not in header else
                 f"{n} is {v!r} in the spec, {header[n]!r} in the header"
                 for n, v in names if header.get(n) != v]
        check(not diags, f"{group}: C names and values match the header", diags)

    # Header -> spec: each name with one of the spec's prefixes is in the spec.
    prefixes = [c_upper(x['name-prefix']) for x in spec['attribute-sets']
                + spec.get('definitions', []) + [spec['operations']] if 'name-prefix' in x]
    exempt = {p + s for p in prefixes for s in ('UNSPEC', 'MAX')}
    exempt |= {n for ns in groups.values() for n, _ in ns}
    missing = sorted(n for n in header if n.startswith(tuple(prefixes)) and n not in exempt)
    check(not missing, 'each header name with a spec prefix is in the spec',
          [n + ' is not in the spec' for n in missing])


if __name__ == '__main__':
    if len(sys.argv) != 4:
        sys.exit('usage: check-ynl-spec.py SPEC HEADER SCHEMA_DIR')
    main(*sys.argv[1:])
    sys.exit(1 if failed else 0)
