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
 * only the owner of the tenant (or root), refuses objects that declare
 * kernel symbols beyond the bpf_cham_* kfuncs (the kernel cannot close
 * generic kfuncs such as bpf_rdonly_cast to struct_ops on 6.12), sets the
 * object's tenant itself, and creates the struct_ops link with the
 * caller's effective uid, so the kernel's ownership check applies as if
 * the caller had done it. The link is pinned where root's own proto load
 * pins it, in a directory only root can write.
 *
 * Every client is treated as hostile: requests are fixed-size messages on
 * a SOCK_SEQPACKET socket, read once with a timeout, and every field is
 * checked before use. One request is served at a time.
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

enum proto_op {
	PROTO_OP_LOAD = 1,	/* with the object file's fd */
	PROTO_OP_UNLOAD = 2,	/* no fd */
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
	char pin[128];
	char message[CAPTURE_MESSAGE_LEN];	/* why it failed */
	char log[CAPTURE_LOG_LEN];	/* libbpf's warnings (the verifier) */
};

/* A slow or stuck client must not hold the daemon for long. */
#define PROTO_IO_TIMEOUT_SEC	5
/* Far above any protocol object, far below a memory problem. */
#define PROTO_OBJECT_MAX	(64U << 20)

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
		fputs(reply->log, stderr);
	va_start(ap, what_fmt);
	vfail_errno(err, reply->message[0] ? sanitize_text(reply->message) :
		    NULL, what_fmt, ap);
	va_end(ap);
	return EXIT_FAIL;
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
		      const char *socket_path)
{
	struct proto_request req = {
		.magic = PROTO_MAGIC, .version = PROTO_VERSION,
		.op = PROTO_OP_LOAD,
	};
	struct proto_reply *reply;
	int fd, ret;

	if (fill_tenant(&req, tenant))
		return EXIT_FAIL;
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
		ret = reply_fail(reply, "loading %s for tenant %s", object_path,
				 tenant ?: "(named in the object)");
	if (!ret)
		proto_print_loaded(sanitize_text(reply->proto),
				   sanitize_text(reply->tenant),
				   sanitize_text(reply->pin));
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
 * Names of a BTF DATASEC's variables, or of the extern functions and
 * variables of the BTF, collected for the symbol check.
 */
struct name_set {
	const char **names;
	size_t count, cap;
};

static void name_set_add(struct name_set *set, const char *name)
{
	set->names = grow_array(set->names, &set->cap, set->count + 1,
				sizeof(*set->names));
	set->names[set->count++] = name;
}

static bool name_set_has(const struct name_set *set, const char *name)
{
	size_t i;

	for (i = 0; i < set->count; i++)
		if (!strcmp(set->names[i], name))
			return true;
	return false;
}

struct ksym_check {
	struct btf *btf;
	/* Variables libbpf fills from the kernel config (harmless values). */
	struct name_set kconfig;
	/* Everything else declared extern: kernel functions and variables. */
	struct name_set kernel;
	char bad[128];		/* the first symbol refused */
};

static bool ksym_allowed(const struct ksym_check *check, const char *name)
{
	if (!strncmp(name, ALLOWED_KSYM_PREFIX, strlen(ALLOWED_KSYM_PREFIX)))
		return true;
	return name_set_has(&check->kconfig, name) &&
	       !name_set_has(&check->kernel, name);
}

static void ksym_refuse(struct ksym_check *check, const char *name)
{
	if (!check->bad[0])
		snprintf(check->bad, sizeof(check->bad), "%s", name);
}

/*
 * The externs the object's BTF declares: libbpf resolves those in the
 * ".kconfig" section from the kernel config, every other one (".ksyms")
 * against the kernel's BTF.
 */
static void btf_collect_externs(struct ksym_check *check)
{
	const struct btf *btf = check->btf;
	const struct btf_var_secinfo *vsi;
	const struct btf_type *t, *var;
	uint32_t id, n = btf__type_cnt(btf);
	unsigned int i;
	bool kconfig;

	for (id = 1; id < n; id++) {
		t = btf__type_by_id(btf, id);
		/* A FUNC's linkage is in its vlen. */
		if (btf_is_func(t) && btf_vlen(t) == BTF_FUNC_EXTERN)
			name_set_add(&check->kernel,
				     btf__name_by_offset(btf, t->name_off));
		if (!btf_is_datasec(t))
			continue;
		kconfig = !strcmp(btf__name_by_offset(btf, t->name_off),
				  ".kconfig");
		vsi = btf_var_secinfos(t);
		for (i = 0; i < btf_vlen(t); i++, vsi++) {
			var = btf__type_by_id(btf, vsi->type);
			if (!var || !(btf_is_var(var) || btf_is_func(var)))
				continue;
			if (btf_is_var(var) && btf_var(var)->linkage !=
			    BTF_VAR_GLOBAL_EXTERN)
				continue;
			name_set_add(kconfig ? &check->kconfig :
				     &check->kernel,
				     btf__name_by_offset(btf, var->name_off));
		}
	}
	/* An extern variable outside any DATASEC is a kernel one too. */
	for (id = 1; id < n; id++) {
		t = btf__type_by_id(btf, id);
		if (btf_is_var(t) &&
		    btf_var(t)->linkage == BTF_VAR_GLOBAL_EXTERN &&
		    !name_set_has(&check->kconfig,
				  btf__name_by_offset(btf, t->name_off)))
			name_set_add(&check->kernel,
				     btf__name_by_offset(btf, t->name_off));
	}
}

/* The section's data, if it lies within the object. */
static Elf_Data *section_data(Elf_Scn *scn)
{
	Elf_Data *data = elf_getdata(scn, NULL);

	return data && data->d_buf ? data : NULL;
}

static const char *symbol_name(Elf *elf, size_t strtab, const GElf_Sym *sym)
{
	const char *name = elf_strptr(elf, strtab, sym->st_name);

	return name ?: "";
}

/*
 * Instructions that reach the kernel by BTF id or map fd (kfunc calls,
 * ksym addresses, map references) are fine when libbpf fills them in from
 * a relocation against a checked symbol; written raw into the object they
 * would bypass every symbol check: refuse them.
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

static bool offset_relocated(Elf *elf, size_t text_index, size_t offset)
{
	Elf_Scn *scn = NULL;
	GElf_Shdr shdr;
	GElf_Rel rel;
	Elf_Data *data;
	size_t i, n;

	while ((scn = elf_nextscn(elf, scn))) {
		if (!gelf_getshdr(scn, &shdr) || shdr.sh_type != SHT_REL ||
		    shdr.sh_info != text_index || !shdr.sh_entsize)
			continue;
		data = section_data(scn);
		if (!data)
			continue;
		n = data->d_size / shdr.sh_entsize;
		for (i = 0; i < n; i++)
			if (gelf_getrel(data, i, &rel) &&
			    rel.r_offset == offset)
				return true;
	}
	return false;
}

/* 0, or -EPERM with the offending instruction described in check->bad. */
static int check_instructions(Elf *elf, struct ksym_check *check)
{
	Elf_Scn *scn = NULL;
	GElf_Shdr shdr;
	Elf_Data *data;
	struct bpf_insn insn;
	size_t off;

	while ((scn = elf_nextscn(elf, scn))) {
		if (!gelf_getshdr(scn, &shdr) || shdr.sh_type != SHT_PROGBITS ||
		    !(shdr.sh_flags & SHF_EXECINSTR))
			continue;
		data = section_data(scn);
		if (!data)
			continue;
		for (off = 0; off + sizeof(insn) <= data->d_size;
		     off += sizeof(insn)) {
			memcpy(&insn, (char *)data->d_buf + off, sizeof(insn));
			if (!insn_needs_relocation(&insn) ||
			    offset_relocated(elf, elf_ndxscn(scn), off))
				continue;
			snprintf(check->bad, sizeof(check->bad),
				 "a kernel reference written into instruction %zu without a symbol",
				 off / sizeof(insn));
			return -EPERM;
		}
	}
	return 0;
}

/*
 * Refuses (-EPERM, naming it) the first kernel symbol the object declares
 * other than the bpf_cham_* kfuncs, and raw kernel references; -EINVAL
 * for what is no BPF object at all.
 */
static int check_object_symbols(const void *buf, size_t size,
				struct ksym_check *check)
{
	size_t strtab = 0, i, n;
	Elf_Scn *scn = NULL, *btf_scn = NULL;
	const char *name;
	GElf_Ehdr ehdr;
	GElf_Shdr shdr;
	GElf_Sym sym;
	Elf_Data *data, *symbols = NULL;
	Elf *elf;
	int err = -EINVAL;

	elf_version(EV_CURRENT);
	elf = elf_memory((char *)buf, size);
	if (!elf)
		return -EINVAL;
	if (elf_kind(elf) != ELF_K_ELF || !gelf_getehdr(elf, &ehdr) ||
	    ehdr.e_machine != EM_BPF ||
	    ehdr.e_ident[EI_DATA] != ELFDATA2LSB ||
	    elf_getshdrstrndx(elf, &i))
		goto out;
	while ((scn = elf_nextscn(elf, scn))) {
		if (!gelf_getshdr(scn, &shdr))
			goto out;
		name = elf_strptr(elf, i, shdr.sh_name);
		if (shdr.sh_type == SHT_SYMTAB) {
			if (symbols)
				goto out;	/* libbpf takes one */
			symbols = section_data(scn);
			strtab = shdr.sh_link;
			if (!symbols || !shdr.sh_entsize)
				goto out;
			n = symbols->d_size / shdr.sh_entsize;
		} else if (name && !strcmp(name, ".BTF")) {
			btf_scn = scn;
		}
	}
	if (!symbols)
		goto out;

	if (btf_scn) {
		data = section_data(btf_scn);
		check->btf = data ? btf__new(data->d_buf, data->d_size) : NULL;
		if (!check->btf)
			goto out;
		btf_collect_externs(check);
		for (i = 0; i < check->kernel.count; i++)
			if (!ksym_allowed(check, check->kernel.names[i]))
				ksym_refuse(check, check->kernel.names[i]);
	}
	/* What libbpf resolves: the undefined symbols. */
	for (i = 1; i < n; i++) {
		if (!gelf_getsym(symbols, i, &sym))
			goto out;
		if (sym.st_shndx != SHN_UNDEF)
			continue;
		name = symbol_name(elf, strtab, &sym);
		if (*name && !ksym_allowed(check, name))
			ksym_refuse(check, name);
	}
	err = check->bad[0] ? -EPERM : check_instructions(elf, check);
out:
	elf_end(elf);
	return err;
}

static void ksym_check_free(struct ksym_check *check)
{
	btf__free(check->btf);
	free(check->kernel.names);
	free(check->kconfig.names);
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
 * The tenant a request names, if @uid may act for it: its owner, or root.
 * Returns 0 or a positive errno, with the reason captured.
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
	if (uid != 0 && uid != tenant->owner) {
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

static int serve_load(uid_t uid, int object_fd, const char *tenant_arg,
		      struct proto_reply *reply)
{
	struct ksym_check check = {};
	struct tenant_summary tenant;
	struct proto_object po = {};
	char path[PATH_MAX];
	void *buf = NULL;
	size_t size = 0;
	int err;

	/* Without a tenant in the request, the object's own is checked. */
	if (tenant_arg[0]) {
		err = authorize(uid, tenant_arg, &tenant);
		if (err)
			return err;
	}
	if (read_object(object_fd, &buf, &size))
		return EINVAL;
	err = check_object_symbols(buf, size, &check);
	if (err == -EPERM) {
		fail_errno(EPERM, "the object declares %s%s; only the " ALLOWED_KSYM_PREFIX "* kfuncs are allowed",
			   strchr(check.bad, ' ') ? "" : "kernel symbol ",
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
	if (proto_object_open_mem(&po, buf, size, "the object",
				  tenant_arg[0] ? tenant.name : NULL))
		goto out;
	if (!tenant_arg[0]) {
		/* The map names its tenant; an all-digit "name" is no tenant. */
		err = EINVAL;
		if (is_all_digits(po.tenant)) {
			fail_errno(EINVAL, "the object names tenant '%s', which is no tenant name",
				   po.tenant);
			goto out;
		}
		err = authorize(uid, po.tenant, &tenant);
		if (err)
			goto out;
	}
	err = check_programs(&po);
	if (err)
		goto out;
	err = EINVAL;
	if (proto_object_register(&po, "the object", PIN_DIR_DEFAULT, uid, path,
				  sizeof(path)))
		goto out;
	snprintf(reply->proto, sizeof(reply->proto), "%s", po.name);
	snprintf(reply->tenant, sizeof(reply->tenant), "%s", po.tenant);
	/* PIN_DIR_DEFAULT and a tenant name always fit. */
	memcpy(reply->pin, path, strnlen(path, sizeof(reply->pin) - 1));
	err = 0;
out:
	proto_object_close(&po);
	ksym_check_free(&check);
	free(buf);
	return err;
}

static int serve_unload(uid_t uid, const char *tenant_arg,
			struct proto_reply *reply)
{
	struct tenant_summary tenant;
	int err;

	err = authorize(uid, tenant_arg, &tenant);
	if (err)
		return err;
	snprintf(reply->tenant, sizeof(reply->tenant), "%s", tenant.name);
	return proto_unpin(PIN_DIR_DEFAULT, tenant.name) ? ENOENT : 0;
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
	       op == PROTO_OP_UNLOAD ? "unload" : "?";
}

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
	n = receive_request(conn, &req, &fd, &extra_fds);
	if (n <= 0) {
		if (fd >= 0)
			close(fd);
		fprintf(stderr, "chamctl proto serve: uid %u pid %d: no request\n",
			(unsigned int)peer.uid, (int)peer.pid);
		return;
	}
	reply = calloc(1, sizeof(*reply));
	if (!reply) {
		if (fd >= 0)
			close(fd);
		return;
	}
	reply->magic = PROTO_MAGIC;
	reply->version = PROTO_VERSION;

	error_capture_start(&capture);
	terminate(req.tenant, sizeof(req.tenant));
	if (n != sizeof(req) || req.magic != PROTO_MAGIC ||
	    req.version != PROTO_VERSION) {
		err = fail_errno(EPROTO, "not a request of this chamctl version") ? EPROTO : 0;
	} else if (extra_fds) {
		err = fail_errno(EINVAL, "a request carries at most one file") ? EINVAL : 0;
	} else if (req.op == PROTO_OP_LOAD) {
		if (fd < 0)
			err = fail_errno(EINVAL, "a load request needs the object file") ? EINVAL : 0;
		else
			err = serve_load(peer.uid, fd, req.tenant, reply);
	} else if (req.op == PROTO_OP_UNLOAD) {
		if (fd >= 0 || !req.tenant[0])
			err = fail_errno(EINVAL, "an unload request names a tenant and carries no file") ? EINVAL : 0;
		else
			err = serve_unload(peer.uid, req.tenant, reply);
	} else {
		err = fail_errno(EINVAL, "unknown request %u", req.op) ? EINVAL : 0;
	}
	error_capture_stop();
	if (fd >= 0)
		close(fd);

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
			req.tenant[0] ? req.tenant : "(the object's)",
			strerror(err), capture.message);
	else if (req.op == PROTO_OP_LOAD)
		fprintf(stderr, "chamctl proto serve: uid %u pid %d: load tenant %s: protocol %s pinned at %s\n",
			(unsigned int)peer.uid, (int)peer.pid, reply->tenant,
			reply->proto, reply->pin);
	else
		fprintf(stderr, "chamctl proto serve: uid %u pid %d: unload tenant %s: done\n",
			(unsigned int)peer.uid, (int)peer.pid, reply->tenant);
	free(reply);
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
	const char *path = PROTO_SOCKET_DEFAULT;
	sigset_t block, wait_mask;
	struct pollfd pfd;
	int i = 0, listener, conn;

	if (i < argc && !strcmp(argv[i], "socket"))
		path = keyword_value(cmd, argc, argv, &i);
	if (i < argc)
		usage_error(cmd, "unknown argument '%s'", argv[i]);
	if (geteuid() != 0)
		return fail("the protocol loader runs as root");
	if (nl_open())
		return EXIT_FAIL;
	setup_libbpf_logging();

	/*
	 * SIGTERM and SIGINT are let in only while waiting for a client, so
	 * a request is never cut off halfway; SIGALRM interrupts reads.
	 */
	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	sigprocmask(SIG_BLOCK, &block, &wait_mask);
	sigdelset(&wait_mask, SIGTERM);
	sigdelset(&wait_mask, SIGINT);
	sigaction(SIGTERM, &stop, NULL);
	sigaction(SIGINT, &stop, NULL);
	sigaction(SIGALRM, &alarm_action, NULL);
	signal(SIGPIPE, SIG_IGN);

	listener = open_listener(path);
	if (listener < 0)
		return EXIT_FAIL;
	fprintf(stderr, "chamctl proto serve: listening on %s\n", path);
	pfd.fd = listener;
	pfd.events = POLLIN;
	while (!serve_stop) {
		if (ppoll(&pfd, 1, NULL, &wait_mask) < 0) {
			if (errno == EINTR)
				continue;
			fail_errno(errno, "waiting for clients");
			break;
		}
		conn = accept4(listener, NULL, NULL, SOCK_CLOEXEC);
		if (conn < 0)
			continue;
		serve_one(conn);
		close(conn);
		fflush(stderr);
	}
	close(listener);
	unlink(path);
	fprintf(stderr, "chamctl proto serve: stopped\n");
	return serve_stop ? 0 : EXIT_FAIL;
}
