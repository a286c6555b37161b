// SPDX-License-Identifier: GPL-2.0
/*
 * The protocol loader daemon (chamctl proto serve) and its client (proto
 * load and proto unload run by anyone but root).
 *
 * Linux 6.12 lets no unprivileged user load a struct_ops protocol: the
 * programs need CAP_BPF and CAP_PERFMON, and a BPF token cannot stand in
 * for them with module BTF. So the provider runs this daemon as root. A
 * client connects to its Unix socket and passes the object as an open file
 * (SCM_RIGHTS), never as a path: the daemon reads only what the client
 * itself could open. The daemon knows the caller from SO_PEERCRED, serves
 * only the owner of the tenant (never uid 0, which is not the provider in
 * a container: root loads itself), refuses objects that reach the kernel
 * other than through the bpf_cham_* kfuncs (the kernel cannot close
 * generic kfuncs such as bpf_rdonly_cast to struct_ops on 6.12) or that
 * create other maps than plain data ones, sets the object's tenant
 * itself, and creates the struct_ops link with the caller's effective
 * uid, so the kernel's ownership check applies as if the caller had done
 * it. The link is pinned where root's own proto load pins it, in a
 * directory only root can write.
 *
 * Every client is treated as hostile: requests are fixed-size messages on
 * a SOCK_SEQPACKET socket, read once with a timeout, and every field is
 * checked before use; the caller is authorized before its object is read.
 * Each connection is served by a process of its own with a deadline, so
 * no client can hold up the others.
 */
#define _GNU_SOURCE	/* struct ucred, ppoll, accept4 */
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "nl.h"
#include "output.h"
#include "proto.h"

/* ---- wire format ---------------------------------------------------------- */

#define PROTO_MAGIC		0x43484d50	/* "CHMP" */
#define PROTO_VERSION		1

/*
 * PROTO_OP_REPLACE came later, in the same version: a daemon that does not
 * know it refuses it as an unknown request, and clients that do not use it
 * are served as before.
 */
enum proto_op {
	PROTO_OP_LOAD = 1,	/* with the object file's fd */
	PROTO_OP_UNLOAD = 2,	/* no fd */
	PROTO_OP_REPLACE = 3,	/* as load; a bound protocol is replaced */
};

struct proto_request {
	uint32_t magic;
	uint32_t version;
	uint32_t op;
	/* As the user wrote it: a name, or an id; empty: the object's own. */
	char tenant[CHAM_NAME_LEN];
};

struct proto_reply {
	uint32_t magic;
	uint32_t version;
	int32_t error;			/* 0, or a positive errno */
	char proto[CHAM_NAME_LEN];	/* the protocol's name */
	char tenant[CHAM_NAME_LEN];	/* the tenant's name */
	char pin[128];		/* the link's pin, or "link N" */
	/* Why it failed; after a replace that updated a link: what it replaced. */
	char message[CAPTURE_MESSAGE_LEN];
	char log[CAPTURE_LOG_LEN];	/* libbpf's warnings (the verifier) */
};

/* A slow or stuck client must not hold the daemon for long. */
#define PROTO_IO_TIMEOUT_SEC	5
/* Far above any protocol object, far below a memory problem. */
#define PROTO_OBJECT_MAX	(64U << 20)
/* The bytes of map entries (keys and values) one object may create. */
#define PROTO_MAPS_MAX		(64ULL << 20)
/* Requests served at once, and how long one may take, verifier included. */
#define PROTO_CHILDREN_MAX	4
#define PROTO_REQUEST_TIMEOUT_SEC	20

/* Kernel symbols an object may declare: the Chamelio kfuncs. */
#define ALLOWED_KSYM_PREFIX	"bpf_cham_"

const char *proto_socket_path(const char *option)
{
	const char *env = getenv(PROTO_SOCKET_ENV);

	if (option)
		return option;
	return env && *env ? env : PROTO_SOCKET_DEFAULT;
}

static int socket_address(struct sockaddr_un *addr, const char *path)
{
	memset(addr, 0, sizeof(*addr));
	addr->sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(addr->sun_path))
		return -ENAMETOOLONG;
	memcpy(addr->sun_path, path, strlen(path));
	return 0;
}

static void set_io_timeout(int fd)
{
	struct timeval tv = { .tv_sec = PROTO_IO_TIMEOUT_SEC };

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
}

/* Strings from the other side end inside their field, whatever it sent. */
static void terminate(char *field, size_t size)
{
	field[size - 1] = '\0';
}

/* ---- the client ----------------------------------------------------------- */

/*
 * Sends @req (with @fd if >= 0) and reads the reply. Returns 0 or
 * EXIT_FAIL, saying why.
 */
static int proto_call(const char *socket_path, const struct proto_request *req,
		      int fd, struct proto_reply *reply)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} control;
	struct iovec iov = { .iov_base = (void *)req, .iov_len = sizeof(*req) };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct sockaddr_un addr;
	struct cmsghdr *cmsg;
	ssize_t n;
	int sock, err;

	err = socket_address(&addr, socket_path);
	if (err)
		return fail_errno(err, "the loader socket %s", socket_path);
	sock = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (sock < 0)
		return fail_errno(errno, "creating a Unix socket");
	if (connect(sock, (struct sockaddr *)&addr, sizeof(addr))) {
		err = errno;
		close(sock);
		return fail_errno(err, "connecting to the protocol loader at %s (is 'chamctl proto serve' running?)",
				  socket_path);
	}
	if (fd >= 0) {
		memset(&control, 0, sizeof(control));
		msg.msg_control = control.buf;
		msg.msg_controllen = sizeof(control.buf);
		cmsg = CMSG_FIRSTHDR(&msg);
		cmsg->cmsg_level = SOL_SOCKET;
		cmsg->cmsg_type = SCM_RIGHTS;
		cmsg->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(cmsg), &fd, sizeof(int));
	}
	if (sendmsg(sock, &msg, MSG_NOSIGNAL) != sizeof(*req)) {
		err = errno;
		close(sock);
		return fail_errno(err, "sending the request to %s",
				  socket_path);
	}
	/* Loading can take the verifier a while: no timeout here. */
	memset(reply, 0, sizeof(*reply));
	do {
		n = recv(sock, reply, sizeof(*reply), 0);
	} while (n < 0 && errno == EINTR);
	err = errno;
	close(sock);
	if (n < 0)
		return fail_errno(err, "reading the loader's reply");
	if (n != sizeof(*reply) || reply->magic != PROTO_MAGIC ||
	    reply->version != PROTO_VERSION)
		return fail("the protocol loader at %s sent no valid reply (is it another chamctl version?)",
			    socket_path);
	terminate(reply->proto, sizeof(reply->proto));
	terminate(reply->tenant, sizeof(reply->tenant));
	terminate(reply->pin, sizeof(reply->pin));
	terminate(reply->message, sizeof(reply->message));
	terminate(reply->log, sizeof(reply->log));
	return 0;
}

/* The daemon's refusal, as chamctl reports the kernel's. */
__attribute__((format(printf, 2, 3)))
static int reply_fail(struct proto_reply *reply, const char *what_fmt, ...)
{
	va_list ap;
	int err = reply->error > 0 ? reply->error : EIO;

	/* The verifier's log explains a refused program, as with root. */
	if (reply->log[0])
		print_libbpf_warnings(reply->log);
	va_start(ap, what_fmt);
	vfail_errno(err, reply->message[0] ? sanitize_text(reply->message) :
		    NULL, what_fmt, ap);
	va_end(ap);
	return EXIT_FAIL;
}

/*
 * The daemon never sees the object's path: its EBUSY hint ends in
 * PROTO_HINT_OBJECT, which the client replaces with the path it was given.
 */
#define PROTO_HINT_OBJECT	"OBJECT"

static struct proto_reply *hint_object(struct proto_reply *reply,
				       const char *object_path)
{
	size_t len = strlen(reply->message), hint = strlen(PROTO_HINT_OBJECT);
	char *copy;

	if (reply->error != EBUSY || len < hint ||
	    strcmp(reply->message + len - hint, PROTO_HINT_OBJECT))
		return reply;
	copy = strndup(reply->message, len - hint);
	if (!copy)
		return reply;
	snprintf(reply->message, sizeof(reply->message), "%s%s", copy,
		 object_path);
	free(copy);
	return reply;
}

static int fill_tenant(struct proto_request *req, const char *tenant)
{
	if (!tenant)
		return 0;
	if (strlen(tenant) >= sizeof(req->tenant))
		return fail("tenant name '%s' is too long", tenant);
	memcpy(req->tenant, tenant, strlen(tenant));
	return 0;
}

int proto_client_load(const char *object_path, const char *tenant,
		      bool replace, const char *socket_path)
{
	struct proto_request req = {
		.magic = PROTO_MAGIC, .version = PROTO_VERSION,
		.op = replace ? PROTO_OP_REPLACE : PROTO_OP_LOAD,
	};
	struct proto_object po;
	struct proto_reply *reply;
	int fd, ret;

	/*
	 * The daemon authorizes before it reads the object, so the request
	 * names the tenant: the object's own, read here, if none is given.
	 */
	if (!tenant) {
		ret = proto_object_open(&po, object_path, NULL);
		if (!ret)
			ret = fill_tenant(&req, po.tenant);
		proto_object_close(&po);
		if (ret)
			return EXIT_FAIL;
		tenant = req.tenant;
	} else if (fill_tenant(&req, tenant)) {
		return EXIT_FAIL;
	}
	/* Opened as the caller: the daemon reads nothing the caller cannot. */
	fd = open(object_path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return fail_errno(errno, "opening %s", object_path);
	reply = malloc(sizeof(*reply));
	if (!reply) {
		close(fd);
		return fail("out of memory");
	}
	ret = proto_call(socket_path, &req, fd, reply);
	close(fd);
	if (!ret && reply->error)
		ret = reply_fail(hint_object(reply, object_path),
				 "%s %s for tenant %s",
				 replace ? "replacing with" : "loading",
				 object_path, tenant);
	if (!ret)
		proto_print_loaded(sanitize_text(reply->proto),
				   sanitize_text(reply->tenant),
				   sanitize_text(reply->pin),
				   replace && reply->message[0] ?
				   sanitize_text(reply->message) : NULL);
	free(reply);
	return ret;
}

int proto_client_unload(const char *tenant, const char *socket_path)
{
	struct proto_request req = {
		.magic = PROTO_MAGIC, .version = PROTO_VERSION,
		.op = PROTO_OP_UNLOAD,
	};
	struct proto_reply *reply;
	int ret;

	if (fill_tenant(&req, tenant))
		return EXIT_FAIL;
	reply = malloc(sizeof(*reply));
	if (!reply)
		return fail("out of memory");
	ret = proto_call(socket_path, &req, -1, reply);
	if (!ret && reply->error)
		ret = reply_fail(reply, "unloading the protocol of tenant %s",
				 tenant);
	free(reply);
	return ret;
}

/* ---- what the daemon checks in an object ---------------------------------- */

/*
 * libbpf decides what an instruction becomes from the instruction, not
 * from the symbol it is relocated against: a call relocated against any
 * extern becomes a kfunc call, even against a .kconfig variable (whose
 * "BTF id" is then its offset in the config map, an id of the object's
 * choosing). So this check pairs every relocation's symbol with the kind
 * of its instruction, and check_loaded() checks again, after loading and
 * before anything runs, what libbpf actually gave the kernel.
 */

/* What an ELF symbol is to libbpf. */
enum sym_kind {
	SYM_REFUSED,	/* anything else the kernel would resolve */
	SYM_DEFINED,	/* in the object: a subprogram, a map, data */
	SYM_KFUNC,	/* a bpf_cham_* function extern in .ksyms */
};

struct elf_sym {
	enum sym_kind kind;
	const char *name;
};

struct elf_check {
	Elf *elf;
	struct btf *btf;	/* the object's, or NULL */
	struct elf_sym *syms;	/* by symbol index */
	size_t n_syms;
	char bad[192];		/* why the object is refused: the first reason */
};

__attribute__((format(printf, 2, 3)))
static void refuse(struct elf_check *check, const char *fmt, ...)
{
	va_list ap;

	if (check->bad[0])
		return;
	va_start(ap, fmt);
	vsnprintf(check->bad, sizeof(check->bad), fmt, ap);
	va_end(ap);
}

/* The section's data, if it lies within the object. */
static Elf_Data *section_data(Elf_Scn *scn)
{
	Elf_Data *data = elf_getdata(scn, NULL);

	return data && data->d_buf ? data : NULL;
}

static const char *btf_name(const struct btf *btf, uint32_t off)
{
	return btf__name_by_offset(btf, off) ?: "";
}

/*
 * The name libbpf looks up in the kernel: without a "___flavor" suffix
 * (libbpf's bpf_core_essential_name_len()).
 */
static size_t essential_len(const char *name)
{
	size_t n = strlen(name), i;

	for (i = n >= 5 ? n - 5 + 1 : 0; i-- > 0;)
		if (name[i] != '_' && !strncmp(name + i + 1, "___", 3) &&
		    name[i + 4] != '_')
			return i + 1;
	return n;
}

static bool kfunc_name_allowed(const char *name, size_t len)
{
	size_t prefix = strlen(ALLOWED_KSYM_PREFIX);

	return len > prefix && !strncmp(name, ALLOWED_KSYM_PREFIX, prefix);
}

/*
 * The extern's BTF type and the DATASEC holding it, found as libbpf finds
 * them (the first VAR or FUNC of that name).
 */
static const struct btf_type *btf_extern(const struct btf *btf,
					 const char *name, const char **sec)
{
	const struct btf_var_secinfo *vsi;
	const struct btf_type *t;
	uint32_t id, found = 0, n = btf__type_cnt(btf);
	unsigned int i, listed = 0;

	*sec = "";
	for (id = 1; id < n && !found; id++) {
		t = btf__type_by_id(btf, id);
		if ((btf_is_var(t) || btf_is_func(t)) &&
		    !strcmp(btf_name(btf, t->name_off), name))
			found = id;
	}
	if (!found)
		return NULL;
	/*
	 * libbpf takes the first section that lists the extern; one listed
	 * twice could read as one kind here and another there: refused.
	 */
	for (id = 1; id < n; id++) {
		t = btf__type_by_id(btf, id);
		if (!btf_is_datasec(t))
			continue;
		vsi = btf_var_secinfos(t);
		for (i = 0; i < btf_vlen(t); i++, vsi++) {
			if (vsi->type != found)
				continue;
			if (listed++)
				return NULL;
			*sec = btf_name(btf, t->name_off);
		}
	}
	return btf__type_by_id(btf, found);
}

/*
 * An undefined symbol may be a bpf_cham_* kfunc, nothing else. A .ksyms
 * variable (typed or not) is refused: libbpf would write a kernel address
 * into the program. So is a .kconfig variable: no protocol needs the
 * kernel's configuration, and libbpf's handling of externs is too subtle
 * to allow one kind and not the other.
 */
static enum sym_kind classify_extern(struct elf_check *check,
				     const char *name)
{
	const struct btf_type *t = NULL;
	const char *sec = "";

	if (check->btf)
		t = btf_extern(check->btf, name, &sec);
	/* A FUNC's linkage is in its vlen. */
	if (t && btf_is_func(t) && btf_vlen(t) == BTF_FUNC_EXTERN &&
	    !strcmp(sec, ".ksyms") &&
	    kfunc_name_allowed(name, essential_len(name)))
		return SYM_KFUNC;
	refuse(check, "the object declares kernel %s %s",
	       t && btf_is_var(t) ? "variable" : "symbol", name);
	return SYM_REFUSED;
}

/*
 * Instructions that reach the kernel by BTF id or map fd (kfunc calls,
 * ksym addresses, map references) are fine when libbpf fills them in from
 * a checked relocation; written raw into the object they would bypass
 * every symbol check.
 */
static bool insn_needs_relocation(const struct bpf_insn *insn)
{
	if (insn->code == (BPF_JMP | BPF_CALL))
		return insn->src_reg == BPF_PSEUDO_KFUNC_CALL;
	if (insn->code == (BPF_LD | BPF_IMM | BPF_DW))
		return insn->src_reg == BPF_PSEUDO_MAP_FD ||
		       insn->src_reg == BPF_PSEUDO_MAP_VALUE ||
		       insn->src_reg == BPF_PSEUDO_BTF_ID ||
		       insn->src_reg == BPF_PSEUDO_MAP_IDX ||
		       insn->src_reg == BPF_PSEUDO_MAP_IDX_VALUE;
	return false;
}

/*
 * Calls may go to subprograms and bpf_cham_* kfuncs only; 64-bit loads
 * may take the address of the object's own maps, data and subprograms.
 * libbpf relocates nothing else.
 */
static void check_relocation(struct elf_check *check,
			     const struct bpf_insn *insn,
			     const struct elf_sym *sym, size_t index,
			     const char *section)
{
	bool call = insn->code == (BPF_JMP | BPF_CALL);
	bool ld64 = insn->code == (BPF_LD | BPF_IMM | BPF_DW);

	switch (sym->kind) {
	case SYM_DEFINED:
		if (call || ld64)
			return;
		break;
	case SYM_KFUNC:
		if (call)
			return;
		break;
	case SYM_REFUSED:
		break;
	}
	refuse(check, "instruction %zu of section %s: %s relocated against %s%s",
	       index, section,
	       call ? "a call" : ld64 ? "a 64-bit load" : "an instruction",
	       sym->kind == SYM_DEFINED ? "object symbol " : "",
	       sym->name[0] ? sym->name : "an unnamed symbol");
}

/* The relocations of one section of instructions, and what lacks one. */
static void check_section(struct elf_check *check, Elf_Scn *text_scn,
			  const char *section, size_t symtab_index)
{
	size_t text_index = elf_ndxscn(text_scn), n_insns, i, k, n;
	Elf_Data *text = section_data(text_scn), *data;
	struct bpf_insn insn;
	Elf_Scn *scn = NULL;
	bool *relocated;
	GElf_Shdr shdr;
	GElf_Rel rel;

	if (!text)
		return;
	n_insns = text->d_size / sizeof(insn);
	relocated = calloc(n_insns + 1, sizeof(*relocated));
	if (!relocated) {
		refuse(check, "no memory to check the object");
		return;
	}
	while ((scn = elf_nextscn(check->elf, scn))) {
		if (!gelf_getshdr(scn, &shdr) || shdr.sh_type != SHT_REL ||
		    shdr.sh_info != text_index)
			continue;
		data = section_data(scn);
		if (!data || !shdr.sh_entsize || shdr.sh_link != symtab_index) {
			refuse(check, "section %s has malformed relocations",
			       section);
			break;
		}
		n = data->d_size / shdr.sh_entsize;
		for (k = 0; k < n; k++) {
			if (!gelf_getrel(data, k, &rel) ||
			    rel.r_offset % sizeof(insn) ||
			    rel.r_offset / sizeof(insn) >= n_insns ||
			    GELF_R_SYM(rel.r_info) >= check->n_syms) {
				refuse(check, "section %s has a malformed relocation",
				       section);
				break;
			}
			i = rel.r_offset / sizeof(insn);
			relocated[i] = true;
			memcpy(&insn, (char *)text->d_buf + rel.r_offset,
			       sizeof(insn));
			check_relocation(check, &insn,
					 &check->syms[GELF_R_SYM(rel.r_info)],
					 i, section);
		}
	}
	for (i = 0; i < n_insns; i++) {
		memcpy(&insn, (char *)text->d_buf + i * sizeof(insn),
		       sizeof(insn));
		if (insn_needs_relocation(&insn) && !relocated[i])
			refuse(check, "instruction %zu of section %s: a kernel reference without a symbol",
			       i, section);
	}
	free(relocated);
}

/*
 * Refuses (-EPERM, saying why in check->bad) objects that reach the
 * kernel other than through the bpf_cham_* kfuncs and their own maps;
 * -EINVAL for what is no BPF object at all. A cheap early refusal:
 * check_loaded() has the last word.
 */
static int check_object(const void *buf, size_t size, struct elf_check *check)
{
	size_t shstrndx, symtab_index = 0, strtab = 0, i;
	Elf_Scn *scn = NULL, *btf_scn = NULL;
	Elf_Data *data, *symbols = NULL;
	const char *name;
	GElf_Ehdr ehdr;
	GElf_Shdr shdr;
	GElf_Sym sym;

	elf_version(EV_CURRENT);
	check->elf = elf_memory((char *)buf, size);
	if (!check->elf)
		return -EINVAL;
	if (elf_kind(check->elf) != ELF_K_ELF ||
	    !gelf_getehdr(check->elf, &ehdr) || ehdr.e_machine != EM_BPF ||
	    ehdr.e_ident[EI_DATA] != ELFDATA2LSB ||
	    elf_getshdrstrndx(check->elf, &shstrndx))
		return -EINVAL;
	while ((scn = elf_nextscn(check->elf, scn))) {
		if (!gelf_getshdr(scn, &shdr))
			return -EINVAL;
		name = elf_strptr(check->elf, shstrndx, shdr.sh_name);
		if (shdr.sh_type == SHT_SYMTAB) {
			if (symbols)
				return -EINVAL;	/* libbpf takes one */
			symbols = section_data(scn);
			symtab_index = elf_ndxscn(scn);
			strtab = shdr.sh_link;
			if (!symbols || !shdr.sh_entsize)
				return -EINVAL;
			check->n_syms = symbols->d_size / shdr.sh_entsize;
		} else if (name && !strcmp(name, ".BTF")) {
			btf_scn = scn;
		}
	}
	if (!symbols)
		return -EINVAL;
	if (btf_scn) {
		data = section_data(btf_scn);
		check->btf = data ? btf__new(data->d_buf, data->d_size) : NULL;
		if (!check->btf)
			return -EINVAL;
	}

	check->syms = calloc(check->n_syms + 1, sizeof(*check->syms));
	if (!check->syms)
		return -ENOMEM;
	for (i = 0; i < check->n_syms; i++) {
		if (!gelf_getsym(symbols, i, &sym))
			return -EINVAL;
		name = elf_strptr(check->elf, strtab, sym.st_name) ?: "";
		check->syms[i].name = name;
		if (sym.st_shndx != SHN_UNDEF)
			check->syms[i].kind = SYM_DEFINED;
		else if (*name)
			check->syms[i].kind = classify_extern(check, name);
		/* else the null symbol: SYM_REFUSED, should anything use it */
	}

	scn = NULL;
	while ((scn = elf_nextscn(check->elf, scn))) {
		if (gelf_getshdr(scn, &shdr) && shdr.sh_type == SHT_PROGBITS &&
		    (shdr.sh_flags & SHF_EXECINSTR))
			check_section(check, scn,
				      elf_strptr(check->elf, shstrndx,
						 shdr.sh_name) ?: "?",
				      symtab_index);
	}
	return check->bad[0] ? -EPERM : 0;
}

static void elf_check_free(struct elf_check *check)
{
	free(check->syms);
	btf__free(check->btf);
	if (check->elf)
		elf_end(check->elf);
}

/* ---- the daemon ----------------------------------------------------------- */

static volatile sig_atomic_t serve_stop;

static void on_stop_signal(int sig)
{
	serve_stop = 1;
}

/* Interrupts a read of a file that never ends (a FUSE file, say). */
static void on_alarm(int sig)
{
}

/* Only wakes the parent up to reap. */
static void on_child(int sig)
{
}

/* Tenant names and ids as the kernel takes them; no path can hide in one. */
static bool tenant_arg_valid(const char *arg)
{
	const char *p;

	if (!*arg)
		return false;
	for (p = arg; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || *p == '_' || *p == '-'))
			return false;
	return true;
}

/*
 * The tenant a request names, if @uid owns it. Returns 0 or a positive
 * errno, with the reason captured.
 */
static int authorize(uid_t uid, const char *arg, struct tenant_summary *tenant)
{
	struct tenant_ref ref = { .name = arg };
	uint64_t id;
	int err;

	if (!tenant_arg_valid(arg)) {
		fail_errno(EINVAL, "'%s' is no tenant name or id", arg);
		return EINVAL;
	}
	if (is_all_digits(arg)) {
		if (!parse_uint(arg, UINT32_MAX, &id)) {
			fail_errno(EINVAL, "tenant id %s is too large", arg);
			return EINVAL;
		}
		ref.by_id = true;
		ref.id = id;
	}
	err = tenant_lookup(&ref, tenant);
	if (err) {
		nl_fail(err, "looking up tenant %s", arg);
		return -err;
	}
	if (uid != tenant->owner) {
		fail_errno(EPERM, "uid %u does not own tenant %s",
			   (unsigned int)uid, tenant->name);
		return EPERM;
	}
	return 0;
}

/* The object, read whole from the client's fd: it cannot change after. */
static int read_object(int fd, void **buf, size_t *size)
{
	struct stat st;
	size_t done = 0;
	ssize_t n;
	char *data;

	if (fstat(fd, &st))
		return fail_errno(errno, "the object file");
	if (!S_ISREG(st.st_mode))
		return fail_errno(EINVAL, "the object is not a regular file");
	if (st.st_size <= 0 || (uint64_t)st.st_size > PROTO_OBJECT_MAX)
		return fail_errno(EFBIG, "the object file has %lld bytes; at most %u are taken",
				  (long long)st.st_size, PROTO_OBJECT_MAX);
	data = malloc(st.st_size);
	if (!data)
		return fail_errno(ENOMEM, "reading the object");
	alarm(PROTO_IO_TIMEOUT_SEC);
	while (done < (size_t)st.st_size) {
		n = pread(fd, data + done, st.st_size - done, done);
		if (n <= 0) {
			alarm(0);
			free(data);
			return fail_errno(n < 0 ? errno : EIO,
					  "reading the object");
		}
		done += n;
	}
	alarm(0);
	*buf = data;
	*size = done;
	return 0;
}

/* Only struct_ops programs: nothing else is loaded as root for a tenant. */
static int check_programs(const struct proto_object *po)
{
	struct bpf_program *prog;

	bpf_object__for_each_program(prog, po->obj) {
		if (bpf_program__type(prog) == BPF_PROG_TYPE_STRUCT_OPS)
			continue;
		fail_errno(EPERM, "program %s is of type %s; the loader loads struct_ops programs only",
			   bpf_program__name(prog),
			   libbpf_bpf_prog_type_str(bpf_program__type(prog)) ?:
			   "?");
		return EPERM;
	}
	return 0;
}

/* Maps that hold plain data; none holds other maps or kernel objects. */
static bool map_type_allowed(enum bpf_map_type type)
{
	switch (type) {
	case BPF_MAP_TYPE_ARRAY:
	case BPF_MAP_TYPE_PERCPU_ARRAY:
	case BPF_MAP_TYPE_HASH:
	case BPF_MAP_TYPE_PERCPU_HASH:
	case BPF_MAP_TYPE_LRU_HASH:
	case BPF_MAP_TYPE_LRU_PERCPU_HASH:
	case BPF_MAP_TYPE_STRUCT_OPS:
		return true;
	default:
		return false;
	}
}

static bool map_type_percpu(enum bpf_map_type type)
{
	return type == BPF_MAP_TYPE_PERCPU_ARRAY ||
	       type == BPF_MAP_TYPE_PERCPU_HASH ||
	       type == BPF_MAP_TYPE_LRU_PERCPU_HASH;
}

/*
 * The maps are created by root, charged to root: plain data maps only,
 * PROTO_MAPS_MAX bytes of entries in all. Maps pinned by name are reused
 * from, or pinned in, the tenant's state directory with the caller's uid
 * (proto_object_register()), never where libbpf would pin them as root.
 */
/*
 * What one entry costs the kernel, roughly as it allocates: values
 * rounded to 8 bytes (per CPU for per-CPU maps), and for hashes the key
 * and an element header besides (hash maps preallocate every entry).
 */
/* struct htab_elem and a bucket's share, on 64-bit kernels, rounded up. */
#define HASH_ELEM_OVERHEAD	64

static uint64_t map_entry_cost(enum bpf_map_type type, uint32_t key_size,
			       uint32_t value_size, int cpus)
{
	uint64_t value = ((uint64_t)value_size + 7) / 8 * 8;

	if (map_type_percpu(type))
		value *= cpus;
	if (type == BPF_MAP_TYPE_ARRAY || type == BPF_MAP_TYPE_PERCPU_ARRAY)
		return value;
	return HASH_ELEM_OVERHEAD + (key_size + 7) / 8 * 8 + value;
}

static int check_maps(const struct proto_object *po)
{
	uint64_t total = 0, entry;
	int cpus = libbpf_num_possible_cpus();
	enum bpf_map_type type;
	struct bpf_map *map;
	const char *name;

	if (cpus <= 0)
		cpus = 1024;	/* unknown: count high */
	bpf_object__for_each_map(map, po->obj) {
		name = bpf_map__name(map);
		type = bpf_map__type(map);
		if (!map_type_allowed(type) || bpf_map__map_extra(map) ||
		    bpf_map__inner_map(map)) {
			fail_errno(EPERM, "map %s is a %s map%s; the loader creates arrays, hashes and the struct_ops map only",
				   name, libbpf_bpf_map_type_str(type) ?: "?",
				   map_type_allowed(type) ? " with extras" : "");
			return EPERM;
		}
		entry = map_entry_cost(type, bpf_map__key_size(map),
				       bpf_map__value_size(map), cpus);
		if (entry && bpf_map__max_entries(map) >
			     (PROTO_MAPS_MAX - total) / entry) {
			fail_errno(E2BIG, "map %s takes the object's maps beyond %u MiB",
				   name, (unsigned int)(PROTO_MAPS_MAX >> 20));
			return E2BIG;
		}
		total += entry * bpf_map__max_entries(map);
	}
	return 0;
}

/*
 * What libbpf gave the kernel, checked after loading and before anything
 * is attached (nothing runs before): every kfunc call goes to a
 * bpf_cham_* function of the chamelio module's BTF, all through the same
 * module BTF fd, and no instruction holds a kernel BTF id. This holds
 * whatever the ELF check missed.
 */
static int check_loaded(const struct proto_object *po)
{
	struct btf *vmlinux = NULL, *module = NULL;
	const struct bpf_insn *insn;
	const struct btf_type *t;
	struct bpf_program *prog;
	const char *name, *why = NULL;
	int16_t module_off = 0;
	size_t i, n;
	int err = 0;

	vmlinux = btf__load_vmlinux_btf();
	module = vmlinux ? btf__load_module_btf("chamelio", vmlinux) : NULL;
	if (!module) {
		fail_errno(errno ?: ENOENT, "reading the chamelio module's BTF");
		err = EIO;
		goto out;
	}
	bpf_object__for_each_program(prog, po->obj) {
		if (bpf_program__fd(prog) < 0)
			continue;	/* not loaded: the kernel never saw it */
		insn = bpf_program__insns(prog);
		n = bpf_program__insn_cnt(prog);
		for (i = 0; i < n; i++) {
			if (insn[i].code == (BPF_LD | BPF_IMM | BPF_DW) &&
			    insn[i].src_reg == BPF_PSEUDO_BTF_ID) {
				why = "a kernel BTF id";
				break;
			}
			if (insn[i].code != (BPF_JMP | BPF_CALL) ||
			    insn[i].src_reg != BPF_PSEUDO_KFUNC_CALL)
				continue;
			/* off indexes a module's BTF fd; 0 is vmlinux. */
			t = NULL;
			if (insn[i].off > 0 && insn[i].imm > 0 &&
			    (uint32_t)insn[i].imm >= btf__type_cnt(vmlinux))
				t = btf__type_by_id(module, insn[i].imm);
			name = t && btf_is_func(t) ?
			       btf_name(module, t->name_off) : "";
			if (!kfunc_name_allowed(name, strlen(name)) ||
			    (module_off && insn[i].off != module_off)) {
				why = "a call to a kernel function that is no " ALLOWED_KSYM_PREFIX "* kfunc";
				break;
			}
			module_off = insn[i].off;
		}
		if (why) {
			fail_errno(EPERM, "program %s, instruction %zu: %s",
				   bpf_program__name(prog), i, why);
			err = EPERM;
			break;
		}
	}
out:
	btf__free(module);
	btf__free(vmlinux);
	return err;
}

static int serve_load(uid_t uid, int object_fd, const char *tenant_arg,
		      bool replace, struct proto_reply *reply)
{
	struct proto_register_opts opts = {
		.dir = PIN_DIR_DEFAULT, .as_uid = uid, .replace = replace,
		.object_hint = PROTO_HINT_OBJECT, .check = check_loaded,
	};
	struct proto_result result;
	struct elf_check check = {};
	struct tenant_summary tenant;
	struct proto_object po = {};
	char pin[PATH_MAX];
	void *buf = NULL;
	size_t size = 0;
	int err;

	/*
	 * Who asks, and for what, before the object is even looked at: a
	 * stranger's object is neither read nor parsed.
	 */
	if (!tenant_arg[0]) {
		fail_errno(EINVAL, "a load request names its tenant");
		return EINVAL;
	}
	err = authorize(uid, tenant_arg, &tenant);
	if (err)
		return err;
	if (read_object(object_fd, &buf, &size))
		return EINVAL;
	err = check_object(buf, size, &check);
	if (err == -EPERM) {
		fail_errno(EPERM, "%s; only calls to the " ALLOWED_KSYM_PREFIX "* kfuncs reach the kernel",
			   check.bad);
		err = EPERM;
		goto out;
	}
	if (err) {
		fail_errno(-err, "the object is no BPF ELF object");
		err = -err;
		goto out;
	}
	err = EINVAL;
	if (proto_object_open_mem(&po, buf, size, "the object", tenant.name))
		goto out;
	err = check_programs(&po);
	if (!err)
		err = check_maps(&po);
	if (err)
		goto out;
	err = EINVAL;
	/* authorize() made sure: the owner is the caller. */
	opts.owner = tenant.owner;
	if (proto_object_register(&po, "the object", &opts, &result))
		goto out;
	snprintf(reply->proto, sizeof(reply->proto), "%s", po.name);
	snprintf(reply->tenant, sizeof(reply->tenant), "%s", po.tenant);
	/* PIN_DIR_DEFAULT and a tenant name, or "link N", always fit. */
	proto_result_pin(&result, pin, sizeof(pin));
	memcpy(reply->pin, pin, strnlen(pin, sizeof(reply->pin) - 1));
	if (result.replaced)
		snprintf(reply->message, sizeof(reply->message), "%s",
			 result.replaced_proto);
	err = 0;
out:
	proto_object_close(&po);
	elf_check_free(&check);
	free(buf);
	return err;
}

/*
 * As root's own unload: the link the kernel names for the tenant, however
 * the owner registered it (through this daemon, or with bpftool or libbpf
 * as a user with the capabilities), detached, and its pins removed.
 */
static int serve_unload(uid_t uid, const char *tenant_arg,
			struct proto_reply *reply)
{
	struct tenant_summary tenant;
	struct tenant_ref ref;
	int err;

	err = authorize(uid, tenant_arg, &tenant);
	if (err)
		return err;
	snprintf(reply->tenant, sizeof(reply->tenant), "%s", tenant.name);
	/* By id: the tenant authorized, not one of its name made meanwhile. */
	ref = (struct tenant_ref){ .by_id = true, .id = tenant.id };
	return proto_unload_tenant(&ref, tenant.name, NULL) ? EIO : 0;
}

/*
 * Receives one request and the fds that came with it (at most one is
 * kept; with more, the message is refused). Returns the request's length,
 * or -1.
 */
static ssize_t receive_request(int conn, struct proto_request *req,
			       int *fd, bool *extra_fds)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} control;
	char data[sizeof(*req) + 1];
	struct iovec iov = { .iov_base = data, .iov_len = sizeof(data) };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = control.buf,
		.msg_controllen = sizeof(control.buf),
	};
	struct cmsghdr *cmsg;
	size_t i, n_fds;
	ssize_t n;
	int got;

	*fd = -1;
	*extra_fds = false;
	n = recvmsg(conn, &msg, MSG_CMSG_CLOEXEC);
	if (n < 0)
		return -1;
	for (cmsg = CMSG_FIRSTHDR(&msg); cmsg;
	     cmsg = CMSG_NXTHDR(&msg, cmsg)) {
		if (cmsg->cmsg_level != SOL_SOCKET ||
		    cmsg->cmsg_type != SCM_RIGHTS ||
		    cmsg->cmsg_len < CMSG_LEN(0))
			continue;
		n_fds = (cmsg->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (i = 0; i < n_fds; i++) {
			memcpy(&got, CMSG_DATA(cmsg) + i * sizeof(int),
			       sizeof(int));
			if (*fd < 0) {
				*fd = got;
			} else {
				close(got);
				*extra_fds = true;
			}
		}
	}
	if (msg.msg_flags & MSG_CTRUNC)
		*extra_fds = true;
	if ((msg.msg_flags & MSG_TRUNC) || n != sizeof(*req))
		return n ? (ssize_t)sizeof(data) : 0;	/* wrong size */
	memcpy(req, data, sizeof(*req));
	return n;
}

static const char *op_name(uint32_t op)
{
	return op == PROTO_OP_LOAD ? "load" :
	       op == PROTO_OP_REPLACE ? "replace" :
	       op == PROTO_OP_UNLOAD ? "unload" : "?";
}

/* Serves the connection @conn; runs in a child process of its own. */
static void serve_one(int conn)
{
	struct proto_request req = {};
	struct proto_reply *reply;
	struct error_capture capture;
	struct ucred peer;
	socklen_t len = sizeof(peer);
	bool extra_fds;
	int fd = -1, err;
	ssize_t n;

	if (getsockopt(conn, SOL_SOCKET, SO_PEERCRED, &peer, &len) ||
	    len != sizeof(peer)) {
		fprintf(stderr, "chamctl proto serve: a client without credentials: %s\n",
			strerror(errno));
		return;
	}
	set_io_timeout(conn);
	/* An fd that came along is only held, never used, until authorized. */
	n = receive_request(conn, &req, &fd, &extra_fds);
	if (n <= 0) {
		fprintf(stderr, "chamctl proto serve: uid %u pid %d: no request\n",
			(unsigned int)peer.uid, (int)peer.pid);
		return;
	}
	reply = calloc(1, sizeof(*reply));
	if (!reply)
		return;
	reply->magic = PROTO_MAGIC;
	reply->version = PROTO_VERSION;

	error_capture_start(&capture);
	terminate(req.tenant, sizeof(req.tenant));
	if (n != sizeof(req) || req.magic != PROTO_MAGIC ||
	    req.version != PROTO_VERSION) {
		err = fail_errno(EPROTO, "not a request of this chamctl version") ? EPROTO : 0;
	} else if (peer.uid == 0) {
		/*
		 * Uid 0 is not the provider: a container sharing the init
		 * user namespace has it without CAP_NET_ADMIN. Root with its
		 * capabilities needs no daemon.
		 */
		err = fail_errno(EPERM, "the loader serves no uid 0; root loads and unloads protocols itself (chamctl proto %s without 'socket')",
				 op_name(req.op)) ? EPERM : 0;
	} else if (extra_fds) {
		err = fail_errno(EINVAL, "a request carries at most one file") ? EINVAL : 0;
	} else if (nl_open()) {
		err = EIO;
	} else if (req.op == PROTO_OP_LOAD || req.op == PROTO_OP_REPLACE) {
		if (fd < 0)
			err = fail_errno(EINVAL, "a load request needs the object file") ? EINVAL : 0;
		else
			err = serve_load(peer.uid, fd, req.tenant,
					 req.op == PROTO_OP_REPLACE, reply);
	} else if (req.op == PROTO_OP_UNLOAD) {
		if (fd >= 0 || !req.tenant[0])
			err = fail_errno(EINVAL, "an unload request names a tenant and carries no file") ? EINVAL : 0;
		else
			err = serve_unload(peer.uid, req.tenant, reply);
	} else {
		err = fail_errno(EINVAL, "unknown request %u", req.op) ? EINVAL : 0;
	}
	error_capture_stop();

	/* The first errno given explains best; else the operation's own. */
	if (err && capture.err)
		err = capture.err;
	reply->error = err;
	if (err) {
		snprintf(reply->message, sizeof(reply->message), "%s",
			 capture.message);
		memcpy(reply->log, capture.log, capture.log_len);
	}
	if (send(conn, reply, sizeof(*reply), MSG_NOSIGNAL) < 0)
		err = err ?: errno;

	sanitize_text(req.tenant);
	sanitize_text(capture.message);
	if (err == EPROTO)
		fprintf(stderr, "chamctl proto serve: uid %u pid %d: refused a malformed request\n",
			(unsigned int)peer.uid, (int)peer.pid);
	else if (err)
		fprintf(stderr, "chamctl proto serve: uid %u pid %d: %s tenant %s: refused: %s (%s)\n",
			(unsigned int)peer.uid, (int)peer.pid, op_name(req.op),
			req.tenant[0] ? req.tenant : "(none)",
			strerror(err), capture.message);
	else if (req.op == PROTO_OP_LOAD || req.op == PROTO_OP_REPLACE)
		fprintf(stderr, "chamctl proto serve: uid %u pid %d: %s tenant %s: protocol %s%s%s, %s\n",
			(unsigned int)peer.uid, (int)peer.pid, op_name(req.op),
			reply->tenant, reply->proto,
			reply->message[0] ? " replaces " : "", reply->message,
			reply->pin);
	else
		fprintf(stderr, "chamctl proto serve: uid %u pid %d: unload tenant %s: done\n",
			(unsigned int)peer.uid, (int)peer.pid, reply->tenant);
	free(reply);
	/* Closing the client's fd may block (a lingering socket): last. */
}

/* ---- the daemon's processes ---------------------------------------------- */

/*
 * Each connection is served by a child of its own, which alone ever holds
 * the client's fds: closing one can block (a TCP socket with SO_LINGER),
 * reading one too (a FUSE file). The parent only accepts, forks, reaps,
 * and kills a child that outlives its deadline.
 */
struct serve_child {
	pid_t pid;	/* 0: a free slot */
	struct timespec start;
	bool killed;
};

static struct serve_child serve_children[PROTO_CHILDREN_MAX];
static unsigned int serve_n_children;

static void serve_spawn(int listener, int conn)
{
	struct serve_child *child = serve_children;
	pid_t pid;

	while (child->pid)
		child++;	/* the caller saw a free slot */
	pid = fork();
	if (pid == 0) {
		close(listener);
		serve_one(conn);
		_exit(0);	/* closes conn and the client's fd */
	}
	/*
	 * If the fork failed, this close may release the client's fds here;
	 * rare enough to accept (the kernel is short of memory).
	 */
	close(conn);
	if (pid < 0) {
		fprintf(stderr, "chamctl proto serve: fork: %s\n",
			strerror(errno));
		return;
	}
	child->pid = pid;
	child->killed = false;
	clock_gettime(CLOCK_MONOTONIC, &child->start);
	serve_n_children++;
}

static void serve_reap(void)
{
	struct timespec now;
	unsigned int i;
	int status;
	pid_t pid;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0)
		for (i = 0; i < PROTO_CHILDREN_MAX; i++)
			if (serve_children[i].pid == pid) {
				serve_children[i].pid = 0;
				serve_n_children--;
			}
	clock_gettime(CLOCK_MONOTONIC, &now);
	for (i = 0; i < PROTO_CHILDREN_MAX; i++) {
		struct serve_child *child = &serve_children[i];

		if (!child->pid || child->killed ||
		    now.tv_sec - child->start.tv_sec < PROTO_REQUEST_TIMEOUT_SEC)
			continue;
		kill(child->pid, SIGKILL);
		child->killed = true;
		fprintf(stderr, "chamctl proto serve: request process %d killed after %d s\n",
			(int)child->pid, PROTO_REQUEST_TIMEOUT_SEC);
	}
}

/* Creates the directory of the socket, root's and readable by all. */
static int make_socket_dir(const char *path)
{
	char dir[sizeof(((struct sockaddr_un *)0)->sun_path)];
	char *slash;

	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (!slash || slash == dir)
		return 0;
	*slash = '\0';
	if (mkdir(dir, 0755) && errno != EEXIST)
		return fail_errno(errno, "creating %s", dir);
	return 0;
}

/*
 * The pin directory, made before any client can: bpffs is world-writable
 * (sticky), so a user who made it first would own every tenant's pin.
 * proto_prepare_pin_dir() refuses one that is not root's alone.
 */
static int make_pin_dir(void)
{
	return proto_prepare_pin_dir(PIN_DIR_DEFAULT);
}

/*
 * A socket left by a daemon that died is replaced; one a daemon still
 * answers on, or a file that is no socket, is not.
 */
static int clear_stale_socket(const struct sockaddr_un *addr)
{
	struct stat st;
	int sock, err;

	if (lstat(addr->sun_path, &st))
		return 0;
	if (!S_ISSOCK(st.st_mode))
		return fail("%s exists and is not a socket", addr->sun_path);
	sock = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (sock < 0)
		return fail_errno(errno, "creating a Unix socket");
	err = connect(sock, (const struct sockaddr *)addr, sizeof(*addr));
	close(sock);
	if (!err)
		return fail("a loader already serves %s", addr->sun_path);
	if (unlink(addr->sun_path))
		return fail_errno(errno, "removing the stale %s",
				  addr->sun_path);
	return 0;
}

static int open_listener(const char *path)
{
	struct sockaddr_un addr;
	int sock, err;

	err = socket_address(&addr, path);
	if (err)
		return -fail_errno(err, "socket path %s", path);
	if (make_socket_dir(path) || clear_stale_socket(&addr))
		return -1;
	sock = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (sock < 0)
		return -fail_errno(errno, "creating a Unix socket");
	if (bind(sock, (struct sockaddr *)&addr, sizeof(addr)))
		goto fail;
	/* Every user may ask; the daemon checks each request itself. */
	if (chmod(path, 0666) || listen(sock, 16))
		goto fail_bound;
	return sock;

fail_bound:
	err = errno;
	unlink(path);
	errno = err;
fail:
	err = errno;
	close(sock);
	return -fail_errno(err, "listening on %s", path);
}

int proto_serve(const struct chamctl_cmd *cmd, int argc, char **argv)
{
	struct sigaction stop = { .sa_handler = on_stop_signal };
	struct sigaction alarm_action = { .sa_handler = on_alarm };
	struct sigaction child_action = { .sa_handler = on_child };
	const struct timespec tick = { .tv_sec = 1 };
	const char *path = PROTO_SOCKET_DEFAULT;
	sigset_t block, wait_mask;
	struct pollfd pfd;
	int i = 0, listener, conn;
	bool failed = false;

	if (i < argc && !strcmp(argv[i], "socket"))
		path = keyword_value(cmd, argc, argv, &i);
	if (i < argc)
		usage_error(cmd, "unknown argument '%s'", argv[i]);
	if (geteuid() != 0)
		return fail("the protocol loader runs as root");
	/* The module must be there; each request opens its own socket. */
	if (nl_open())
		return EXIT_FAIL;
	nl_close();
	if (make_pin_dir())
		return EXIT_FAIL;
	setup_libbpf_logging();

	/*
	 * SIGTERM, SIGINT and SIGCHLD are let in only while waiting, so that
	 * none cuts a step short; children keep them blocked and finish
	 * their request (or are killed at its deadline). SIGALRM interrupts
	 * reads.
	 */
	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGCHLD);
	sigprocmask(SIG_BLOCK, &block, &wait_mask);
	sigdelset(&wait_mask, SIGTERM);
	sigdelset(&wait_mask, SIGINT);
	sigdelset(&wait_mask, SIGCHLD);
	sigaction(SIGTERM, &stop, NULL);
	sigaction(SIGINT, &stop, NULL);
	sigaction(SIGCHLD, &child_action, NULL);
	sigaction(SIGALRM, &alarm_action, NULL);
	signal(SIGPIPE, SIG_IGN);

	listener = open_listener(path);
	if (listener < 0)
		return EXIT_FAIL;
	fprintf(stderr, "chamctl proto serve: listening on %s\n", path);
	/* After a stop, the requests under way still finish or are killed. */
	while (listener >= 0 || serve_n_children) {
		serve_reap();
		if (serve_stop && listener >= 0) {
			close(listener);
			unlink(path);
			listener = -1;
			continue;	/* nothing to wait for if no child runs */
		}
		/* At the cap, new clients wait in the listen backlog. */
		pfd.fd = serve_n_children < PROTO_CHILDREN_MAX ? listener : -1;
		pfd.events = POLLIN;
		pfd.revents = 0;
		if (ppoll(&pfd, 1, serve_n_children ? &tick : NULL,
			  &wait_mask) < 0) {
			if (errno == EINTR)
				continue;
			fail_errno(errno, "waiting for clients");
			failed = true;
			serve_stop = 1;
			continue;
		}
		if (pfd.fd < 0 || !(pfd.revents & POLLIN))
			continue;
		conn = accept4(listener, NULL, NULL, SOCK_CLOEXEC);
		if (conn >= 0)
			serve_spawn(listener, conn);
	}
	fprintf(stderr, "chamctl proto serve: stopped\n");
	return failed ? EXIT_FAIL : 0;
}
