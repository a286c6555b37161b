// SPDX-License-Identifier: GPL-2.0
/*
 * stale_map OBJ.bpf.o 'SHELL COMMAND'
 *
 * A struct_ops map prepared for a tenant must not bind to another tenant
 * that later takes the same name. Loads the protocol in OBJ (whose map
 * names an existing tenant) and registers it once, which writes the map's
 * value for that tenant, then removes the link. Runs SHELL COMMAND, which
 * deletes the tenant and creates it again under the same name, and
 * registers the same, already prepared map again: the module must refuse
 * with ESTALE. A map loaded afresh after that registers (the refusal is
 * about the stale map, not the tenant). Prints one TAP line per check.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/libbpf.h>

#include "tap.h"

static struct bpf_map *struct_ops_map(struct bpf_object *obj)
{
	struct bpf_map *map;

	bpf_object__for_each_map(map, obj)
		if (bpf_map__type(map) == BPF_MAP_TYPE_STRUCT_OPS)
			return map;
	return NULL;
}

static struct bpf_object *load(const char *path, struct bpf_map **map)
{
	struct bpf_object *obj = bpf_object__open_file(path, NULL);

	if (!obj || bpf_object__load(obj)) {
		report(false, "load %s", path);
		exit(1);
	}
	*map = struct_ops_map(obj);
	if (!*map) {
		report(false, "%s has a struct_ops map", path);
		exit(1);
	}
	return obj;
}

int main(int argc, char **argv)
{
	struct bpf_object *obj, *fresh_obj;
	struct bpf_map *map, *fresh_map;
	struct bpf_link *link;
	int err, status;

	if (argc != 3) {
		fprintf(stderr, "usage: stale_map OBJ.bpf.o 'SHELL COMMAND'\n");
		return 2;
	}
	obj = load(argv[1], &map);

	link = bpf_map__attach_struct_ops(map);
	err = link ? 0 : -errno;
	report(link, "stale_map: the map registers while its tenant exists");
	if (!link) {
		printf("# %s\n", strerror(-err));
		return 1;
	}
	bpf_link__destroy(link);

	status = system(argv[2]);
	report(status == 0, "stale_map: '%s' succeeds", argv[2]);
	if (status)
		return 1;

	link = bpf_map__attach_struct_ops(map);
	err = link ? 0 : -errno;
	report(err == -ESTALE,
	       "stale_map: the map prepared for the deleted tenant is refused (ESTALE)");
	if (err != -ESTALE)
		printf("# registration: %s\n", link ? "succeeded" : strerror(-err));
	if (link)
		bpf_link__destroy(link);

	fresh_obj = load(argv[1], &fresh_map);
	link = bpf_map__attach_struct_ops(fresh_map);
	err = link ? 0 : -errno;
	report(link, "stale_map: a map prepared afresh registers for the new tenant");
	if (!link)
		printf("# %s\n", strerror(-err));
	bpf_link__destroy(link);
	bpf_object__close(fresh_obj);
	bpf_object__close(obj);
	return failures ? 1 : 0;
}
