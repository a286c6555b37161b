// SPDX-License-Identifier: GPL-2.0
/*
 * proto_update OLD.bpf.o NEW.bpf.o PIN
 *
 * Registers the protocol in OLD, then swaps in the one in NEW with
 * bpf_link_update() on the same link (libbpf's bpf_link__update_map()):
 * the struct_ops .update path of the module, which chamctl does not take.
 * Both objects must name the same tenant. The link is pinned at PIN so the
 * test can look at the result and remove it.
 */
#include <stdio.h>
#include <string.h>
#include <bpf/libbpf.h>

static struct bpf_map *load_struct_ops(const char *path, struct bpf_object **obj)
{
	struct bpf_map *map;

	*obj = bpf_object__open_file(path, NULL);
	if (!*obj || bpf_object__load(*obj)) {
		fprintf(stderr, "proto_update: cannot load %s\n", path);
		return NULL;
	}
	bpf_object__for_each_map(map, *obj)
		if (bpf_map__type(map) == BPF_MAP_TYPE_STRUCT_OPS)
			return map;
	fprintf(stderr, "proto_update: no struct_ops map in %s\n", path);
	return NULL;
}

int main(int argc, char **argv)
{
	struct bpf_object *old_obj, *new_obj;
	struct bpf_map *old_map, *new_map;
	struct bpf_link *link;
	int err;

	if (argc != 4) {
		fprintf(stderr, "usage: proto_update OLD.bpf.o NEW.bpf.o PIN\n");
		return 2;
	}
	old_map = load_struct_ops(argv[1], &old_obj);
	new_map = load_struct_ops(argv[2], &new_obj);
	if (!old_map || !new_map)
		return 1;

	link = bpf_map__attach_struct_ops(old_map);
	if (!link) {
		perror("proto_update: registering the old protocol");
		return 1;
	}
	err = bpf_link__update_map(link, new_map);
	if (err) {
		fprintf(stderr, "proto_update: bpf_link_update: %s\n",
			strerror(-err));
		return 1;
	}
	err = bpf_link__pin(link, argv[3]);
	if (err) {
		fprintf(stderr, "proto_update: pinning at %s: %s\n", argv[3],
			strerror(-err));
		return 1;
	}
	bpf_link__destroy(link);
	bpf_object__close(old_obj);
	bpf_object__close(new_obj);
	return 0;
}
