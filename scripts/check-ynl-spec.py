#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Check a genetlink-c YNL spec against the YNL schema, its uAPI header and,
optionally, the kernel source that implements the family.

Usage: check-ynl-spec.py SPEC HEADER SCHEMA_DIR [KERNEL_C]

Prints "ok - ..." or "not ok - ..." per check ("# " lines explain) and exits
1 if any failed. C names are formed the way the kernel's ynl-gen-c.py does.

With KERNEL_C (the file with the family's struct genl_split_ops table), each
operation of the spec must have a split op for exactly its do and dump, with
GENL_ADMIN_PERM exactly when the spec says admin-perm, and a policy that
admits exactly the spec's request attributes (nested policies: exactly the
attributes of the nested set), with maxattr the highest of them; each
multicast group must need CAP_NET_ADMIN exactly when the spec says
admin-perm. The C source is read with regular expressions, so it must keep
the usual shapes: `static const struct nla_policy NAME[SIZE] = { [ATTR] =
..., };` and designated initializers in the ops and group tables.
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


def c_blocks(body):
    """Split the body of an array initializer into its top-level { } items."""
    items, depth, start = [], 0, None
    for i, ch in enumerate(body):
        if ch == '{':
            depth += 1
            if depth == 1:
                start = i + 1
        elif ch == '}':
            depth -= 1
            if depth == 0:
                items.append(body[start:i])
    return items


def c_fields(item):
    """The .field = value initializers of one struct initializer."""
    fields, depth, cur = {}, 0, ''
    for ch in item + ',':
        if ch in '({[':
            depth += 1
        elif ch in ')}]':
            depth -= 1
        if ch == ',' and depth == 0:
            m = re.match(r'\s*\.(\w+)\s*=\s*(.*?)\s*$', cur, re.S)
            if m:
                fields[m[1]] = m[2]
            cur = ''
        else:
            cur += ch
    return fields


def parse_kernel(path):
    """Policies (name -> size expr, {attr C name: initializer}), the split
    ops, the multicast groups and the family initializer of a C file."""
    with open(path) as f:
        text = re.sub(r'/\*.*?\*/|//[^\n]*', ' ', f.read(), flags=re.S)
    policies = {}
    for m in re.finditer(r'^static\s+const\s+struct\s+nla_policy\s+(\w+)\s*\[([^\]]*)\]'
                         r'\s*=\s*\{(\s*|.*?^)\};', text, re.M | re.S):
        entries = {}
        for e in re.finditer(r'\[\s*(\w+)\s*\]\s*=\s*(.*?)(?=,\s*\[\s*\w+\s*\]\s*=|,?\s*$)',
                             m[3], re.S):
            entries[e[1]] = ' '.join(e[2].split())
        policies[m[1]] = (m[2], entries)

    def table(ctype):
        found = {}
        for m in re.finditer(r'^static\s+(?:const\s+)?struct\s+' + ctype +
                             r'\s+(\w+)\s*\[\s*\]\s*=\s*\{(.*?)^\};', text, re.M | re.S):
            found[m[1]] = [c_fields(b) for b in c_blocks(m[2])]
        return found
    families = [c_fields(m[1]) for m in re.finditer(
        r'^(?:static\s+)?struct\s+genl_family\s+\w+[^=;]*=\s*\{(.*?)^\};', text, re.M | re.S)]
    return policies, table('genl_split_ops'), table('genl_multicast_group'), families


def flag_set(expr):
    return set(re.findall(r'\w+', expr or ''))


def check_kernel(spec, sets, header, path):
    """The kernel's split ops, policies and groups against the spec."""
    policies, ops_tables, mcgrp_tables, families = parse_kernel(path)
    where = os.path.basename(path)
    fam = next((f for f in families if 'split_ops' in f), None)
    check(fam is not None and fam['split_ops'] in ops_tables and not fam.get('ops')
          and not fam.get('small_ops') and not fam.get('policy'),
          f'{where}: the family has split ops only, and no family-wide policy',
          [] if fam else ['no struct genl_family with .split_ops found'])
    if fam is None or fam['split_ops'] not in ops_tables:
        return
    kops = ops_tables[fam['split_ops']]

    # C attribute name -> (set, spec attribute), per set.
    cnames = {}
    for st in spec['attribute-sets']:
        pfx = st.get('name-prefix', f"{spec['name']}-a-" +
                     ('' if st['name'] == spec['name'] else st['name'] + '-'))
        cnames[st['name']] = {c_upper(a.get('name-prefix', pfx) + a['name']): a
                              for a in st['attributes']}

    def check_policy(what, pname, maxattr, set_name, want, diags, seen=()):
        """Policy pname (maxattr, or None to take it from the array size)
        admits exactly the attributes named in want, of set set_name."""
        names = cnames[set_name]
        byname = {a['name']: c for c, a in names.items()}
        if not want:
            # No policy (the core then ignores attributes), or one that
            # admits nothing (it refuses them).
            if pname and (pname not in policies or policies[pname][1]):
                diags.append(f'{what}: takes no attributes, but policy {pname} admits ' +
                             ', '.join(policies.get(pname, ('', {'?': 0}))[1]))
            return
        if not pname or pname not in policies:
            diags.append(f'{what}: policy {pname!r} not found; it must admit {sorted(want)}')
            return
        size, entries = policies[pname]
        got = set()
        for c in entries:
            if c not in names:
                diags.append(f'{what}: policy {pname} admits {c}, not an attribute of set {set_name}')
            else:
                got.add(names[c]['name'])
        for a in sorted(got - set(want)):
            diags.append(f'{what}: policy {pname} admits {a} ({byname[a]}), '
                         'which the spec does not list')
        for a in sorted(set(want) - got):
            diags.append(f'{what}: policy {pname} does not admit {a} ({byname.get(a)}), '
                         'which the spec lists')
        top = max(header.get(byname[a], -1) for a in want if a in byname)
        if evaluate(size, header) != top + 1:
            diags.append(f'{what}: policy {pname}[{size}] is not sized for the highest '
                         f'attribute + 1 ({top + 1})')
        if maxattr is not None and evaluate(maxattr, header) != top:
            diags.append(f'{what}: maxattr {maxattr} is not the highest attribute ({top})')
        for c, init in entries.items():
            a = names.get(c)
            if not a or a['name'] not in want or a.get('type') != 'nest':
                continue
            m = re.match(r'NLA_POLICY_NESTED(?:_ARRAY)?\s*\(\s*(\w+)\s*\)', init)
            if not m:
                diags.append(f'{what}: {c} is a nest but its policy is not NLA_POLICY_NESTED()')
                continue
            sub = a['nested-attributes']
            if (m[1], sub) in seen:
                continue
            inner = [x['name'] for x in sets[sub]['attributes']
                     if x.get('type') not in ('unused', 'pad')]
            check_policy(f'{what} > {a["name"]}', m[1], None, sub, inner, diags,
                         seen + ((m[1], sub),))

    ops_pfx = spec['operations'].get('name-prefix', f"{spec['name']}-cmd-")
    spec_cmds = set()
    for op in spec['operations']['list']:
        if 'do' not in op and 'dump' not in op:
            continue
        cmd = c_upper(ops_pfx + op['name'])
        spec_cmds.add(cmd)
        admin = 'admin-perm' in op.get('flags', [])
        diags = []
        for mode, cap, cb in (('do', 'GENL_CMD_CAP_DO', 'doit'),
                              ('dump', 'GENL_CMD_CAP_DUMP', 'dumpit')):
            mine = [k for k in kops if k.get('cmd') == cmd and cap in flag_set(k.get('flags'))]
            if mode not in op:
                if mine:
                    diags.append(f'{mode}: the kernel has a {mode} op, the spec has none')
                continue
            if len(mine) != 1:
                diags.append(f'{mode}: expected one split op with {cap}, found {len(mine)}')
                continue
            k = mine[0]
            if cb not in k:
                diags.append(f'{mode}: the split op has no .{cb}')
            if ('GENL_ADMIN_PERM' in flag_set(k.get('flags'))) != admin:
                diags.append(f'{mode}: GENL_ADMIN_PERM is ' +
                             ('missing' if admin else 'set, but the spec has no admin-perm'))
            want = op[mode].get('request', {}).get('attributes', [])
            check_policy(mode, k.get('policy'), k.get('maxattr'), op['attribute-set'],
                         want, diags)
        check(not diags, f"{where}: {op['name']}: split ops, permission and policy "
              'match the spec', diags)

    extra = sorted({k.get('cmd') for k in kops} - spec_cmds)
    check(not extra, f'{where}: every split op is an operation of the spec',
          [f'{c} is not a do/dump operation of the spec' for c in extra])

    # Multicast groups: the kernel's by name (the define's value) and flags.
    groups = {}
    for g in mcgrp_tables.get(fam.get('mcgrps'), []):
        name = header.get(g.get('name', ''), g.get('name', '').strip('"'))
        groups[name] = 'GENL_MCAST_CAP_NET_ADMIN' in flag_set(g.get('flags'))
    diags = []
    spec_groups = spec.get('mcast-groups', {}).get('list', [])
    for g in spec_groups:
        admin = 'admin-perm' in g.get('flags', [])
        if g['name'] not in groups:
            diags.append(f"group {g['name']} is not in the kernel's {fam.get('mcgrps')}")
        elif groups[g['name']] != admin:
            diags.append(f"group {g['name']}: GENL_MCAST_CAP_NET_ADMIN is " +
                         ('missing' if admin else 'set, but the spec has no admin-perm'))
    diags += [f'group {n} is not in the spec' for n in groups
              if n not in {g['name'] for g in spec_groups}]
    check(not diags, f'{where}: multicast groups and their permissions match the spec', diags)


def main(spec_path, header_path, schema_dir, kernel_path=None):
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

    if kernel_path:
        check_kernel(spec, sets, header, kernel_path)


if __name__ == '__main__':
    if len(sys.argv) not in (4, 5):
        sys.exit('usage: check-ynl-spec.py SPEC HEADER SCHEMA_DIR [KERNEL_C]')
    main(*sys.argv[1:])
    sys.exit(1 if failed else 0)
