/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Output for people (aligned tables) and for programs (JSON on one line,
 * parsed by the tests with jq).
 */
#ifndef CHAMCTL_OUTPUT_H
#define CHAMCTL_OUTPUT_H

#include <stdbool.h>
#include <stdint.h>

/*
 * Names are any bytes the kernel took (protocol names come from BPF
 * objects): replaces control characters with '?' in place, to keep the
 * terminal sane. Returns @text.
 */
char *sanitize_text(char *text);

/* ---- tables ------------------------------------------------------------ */

struct table;

enum table_align { ALIGN_LEFT, ALIGN_RIGHT };

struct table_column {
	const char *title;
	enum table_align align;
};

struct table *table_new(const struct table_column *columns,
			unsigned int n_columns);
/* Starts a row; fill it with one table_cell() per column. */
void table_row(struct table *table);
__attribute__((format(printf, 2, 3)))
void table_cell(struct table *table, const char *fmt, ...);
/* A line of its own under the current row, indented, not in a column. */
__attribute__((format(printf, 2, 3)))
void table_note(struct table *table, const char *fmt, ...);
/* Prints to stdout and frees the table. */
void table_print(struct table *table);

/* ---- JSON ---------------------------------------------------------------- */

/*
 * A streaming writer. @key names the member inside an object; it is NULL
 * for an array element or the top-level value. When the top-level value is
 * complete, a newline ends the output.
 */
void json_object_begin(const char *key);
void json_object_end(void);
void json_array_begin(const char *key);
void json_array_end(void);
/* @value NULL writes null. */
void json_string(const char *key, const char *value);
void json_uint(const char *key, uint64_t value);
void json_int(const char *key, int64_t value);
void json_null(const char *key);
void json_bool(const char *key, bool value);
/* A number with a fraction: @value in units of 10^-@decimals. */
void json_fixed(const char *key, uint64_t value, unsigned int decimals);

#endif /* CHAMCTL_OUTPUT_H */
