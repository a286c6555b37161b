// SPDX-License-Identifier: GPL-2.0
/*
 * freplace_rx after PROG_ID EXT.bpf.o FUNC
 * freplace_rx before TARGET.bpf.o EXT.bpf.o FUNC
 *
 * What a tenant holding its handler's program could try with a program of
 * type EXT (selftests/progs/hostile_freplace.bpf.o) over the function FUNC
 * of that program:
 *   after:  attach it over FUNC of the loaded program PROG_ID, a handler
 *           of a registered protocol;
 *   before: load TARGET's protocol, attach the extension over FUNC of its
 *           rx program, then register the protocol (with a link).
 * Prints what each step gave ("load: ...", "attach: ...", "register: ...",
 * with the error's strerror text) and exits 0; 1 if a step could not be
 * tried. (6.12 refuses to load an extension of a static function, and the
 * module refuses handlers with a global one: test_38_hostile.sh takes
 * either refusal.)
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

/* Loads EXT aimed at FUNC of @target_fd and attaches it; prints the result. */
static struct bpf_link *attach_ext(const char *path, int target_fd,
				   const char *func)
{
	struct bpf_program *prog;
	struct bpf_object *obj;
	struct bpf_link *link;
	int err;

	obj = bpf_object__open_file(path, NULL);
	prog = obj ? bpf_object__next_program(obj, NULL) : NULL;
	if (!prog || bpf_program__set_attach_target(prog, target_fd, func)) {
		fprintf(stderr, "freplace_rx: no extension to aim in %s\n", path);
		exit(1);
	}
	err = bpf_object__load(obj);
	if (err) {
		printf("load: %s\n", strerror(-err));
		exit(0);
	}
	link = bpf_program__attach_freplace(prog, target_fd, func);
	printf("attach: %s\n", link ? "attached" : strerror(errno));
	return link;
}

static int after(const char *id, const char *ext, const char *func)
{
	int target_fd = bpf_prog_get_fd_by_id(atoi(id));

	if (target_fd < 0) {
		fprintf(stderr, "freplace_rx: program %s: %s\n", id,
			strerror(errno));
		return 1;
	}
	attach_ext(ext, target_fd, func);
	return 0;
}

static int before(const char *target, const char *ext, const char *func)
{
	struct bpf_program *prog;
	struct bpf_object *obj;
	struct bpf_link *link;
	struct bpf_map *map;

	obj = bpf_object__open_file(target, NULL);
	if (!obj || bpf_object__load(obj)) {
		fprintf(stderr, "freplace_rx: cannot load %s\n", target);
		return 1;
	}
	prog = bpf_object__next_program(obj, NULL);
	map = bpf_object__next_map(obj, NULL);
	while (map && bpf_map__type(map) != BPF_MAP_TYPE_STRUCT_OPS)
		map = bpf_object__next_map(obj, map);
	if (!prog || !map) {
		fprintf(stderr, "freplace_rx: no protocol in %s\n", target);
		return 1;
	}
	if (!attach_ext(ext, bpf_program__fd(prog), func))
		return 0;
	link = bpf_map__attach_struct_ops(map);
	printf("register: %s\n", link ? "registered" : strerror(errno));
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 5 && !strcmp(argv[1], "after"))
		return after(argv[2], argv[3], argv[4]);
	if (argc == 5 && !strcmp(argv[1], "before"))
		return before(argv[2], argv[3], argv[4]);
	fprintf(stderr, "usage: freplace_rx after PROG_ID EXT.bpf.o FUNC\n"
			"       freplace_rx before TARGET.bpf.o EXT.bpf.o FUNC\n");
	return 2;
}
