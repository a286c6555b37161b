// SPDX-License-Identifier: GPL-2.0
/*
 * Tables are collected whole so every column can be as wide as its widest
 * cell; JSON is written as it comes, with a stack that knows whether the
 * next value needs a comma.
 */
#define _GNU_SOURCE	/* vasprintf */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chamctl.h"
#include "output.h"

char *sanitize_text(char *text)
{
	unsigned char *p;

	for (p = (unsigned char *)text; *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			*p = '?';
	return text;
}

/* ---- tables ------------------------------------------------------------ */

/* A row of cells, or a note (cells == NULL). */
struct table_line {
	char **cells;
	unsigned int n_cells;
	char *note;
};

struct table {
	const struct table_column *columns;
	unsigned int n_columns;
	struct table_line *lines;
	size_t n_lines, cap_lines;
};

static char *format_alloc(const char *fmt, va_list ap)
{
	char *text;

	if (vasprintf(&text, fmt, ap) < 0) {
		fputs("chamctl: out of memory\n", stderr);
		exit(EXIT_FAIL);
	}
	return text;
}

static void *zalloc(size_t size)
{
	void *p = calloc(1, size);

	if (!p) {
		fputs("chamctl: out of memory\n", stderr);
		exit(EXIT_FAIL);
	}
	return p;
}

struct table *table_new(const struct table_column *columns,
			unsigned int n_columns)
{
	struct table *table = zalloc(sizeof(*table));

	table->columns = columns;
	table->n_columns = n_columns;
	return table;
}

static struct table_line *table_add_line(struct table *table)
{
	struct table_line *line;

	table->lines = grow_array(table->lines, &table->cap_lines,
				  table->n_lines + 1, sizeof(*table->lines));
	line = &table->lines[table->n_lines++];
	memset(line, 0, sizeof(*line));
	return line;
}

void table_row(struct table *table)
{
	struct table_line *line = table_add_line(table);

	line->cells = zalloc(table->n_columns * sizeof(*line->cells));
}

void table_cell(struct table *table, const char *fmt, ...)
{
	struct table_line *line;
	char *text;
	va_list ap;

	/* Cells without a row, or too many, are chamctl's bug: fail loudly. */
	if (!table->n_lines)
		abort();
	line = &table->lines[table->n_lines - 1];
	if (!line->cells || line->n_cells >= table->n_columns)
		abort();
	va_start(ap, fmt);
	text = format_alloc(fmt, ap);
	va_end(ap);
	line->cells[line->n_cells++] = sanitize_text(text);
}

void table_note(struct table *table, const char *fmt, ...)
{
	struct table_line *line = table_add_line(table);
	va_list ap;

	va_start(ap, fmt);
	line->note = format_alloc(fmt, ap);
	va_end(ap);
}

static void table_print_cell(const struct table_column *column,
			     const char *text, size_t width, bool last)
{
	if (column->align == ALIGN_RIGHT)
		printf("%*s", (int)width, text);
	else if (last)
		fputs(text, stdout);	/* no trailing blanks */
	else
		printf("%-*s", (int)width, text);
	if (!last)
		fputs("  ", stdout);
}

void table_print(struct table *table)
{
	size_t *widths = zalloc(table->n_columns * sizeof(*widths));
	unsigned int c;
	size_t i;

	for (c = 0; c < table->n_columns; c++)
		widths[c] = strlen(table->columns[c].title);
	for (i = 0; i < table->n_lines; i++)
		for (c = 0; c < table->lines[i].n_cells; c++)
			if (strlen(table->lines[i].cells[c]) > widths[c])
				widths[c] = strlen(table->lines[i].cells[c]);

	for (c = 0; c < table->n_columns; c++)
		table_print_cell(&table->columns[c], table->columns[c].title,
				 widths[c], c + 1 == table->n_columns);
	putchar('\n');
	for (i = 0; i < table->n_lines; i++) {
		struct table_line *line = &table->lines[i];

		if (line->note) {
			printf("    %s\n", line->note);
			free(line->note);
			continue;
		}
		for (c = 0; c < table->n_columns; c++) {
			const char *cell = c < line->n_cells ?
					   line->cells[c] : "";

			table_print_cell(&table->columns[c], cell, widths[c],
					 c + 1 == table->n_columns);
		}
		for (c = 0; c < line->n_cells; c++)
			free(line->cells[c]);
		putchar('\n');
		free(line->cells);
	}
	free(widths);
	free(table->lines);
	free(table);
}

/* ---- JSON ---------------------------------------------------------------- */

#define JSON_MAX_DEPTH	16

/* Per open object or array: has it got a member yet (next needs a comma)? */
static bool json_has_member[JSON_MAX_DEPTH];
static unsigned int json_depth;

/* Length of the valid UTF-8 sequence at @s, or 0 if it is not one. */
static size_t utf8_sequence_length(const unsigned char *s)
{
	size_t len, i;
	uint32_t cp;

	if (s[0] < 0x80)
		return 1;
	if ((s[0] & 0xe0) == 0xc0) {
		len = 2;
		cp = s[0] & 0x1f;
	} else if ((s[0] & 0xf0) == 0xe0) {
		len = 3;
		cp = s[0] & 0x0f;
	} else if ((s[0] & 0xf8) == 0xf0) {
		len = 4;
		cp = s[0] & 0x07;
	} else {
		return 0;
	}
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	/* Overlong forms, surrogates and values past Unicode are invalid. */
	if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) ||
	    (len == 4 && cp < 0x10000) || cp > 0x10ffff ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

/*
 * Names come from the kernel, which accepts any bytes: escape what JSON
 * forbids and replace what is not UTF-8, so the output always parses.
 */
static void json_write_string(const char *str)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t len;

	putchar('"');
	while (*s) {
		switch (*s) {
		case '"':
			fputs("\\\"", stdout);
			break;
		case '\\':
			fputs("\\\\", stdout);
			break;
		case '\n':
			fputs("\\n", stdout);
			break;
		case '\t':
			fputs("\\t", stdout);
			break;
		default:
			if (*s < 0x20) {
				printf("\\u%04x", *s);
				break;
			}
			len = utf8_sequence_length(s);
			if (!len) {
				fputs("\\ufffd", stdout);
				break;
			}
			fwrite(s, 1, len, stdout);
			s += len;
			continue;
		}
		s++;
	}
	putchar('"');
}

/* Separator and key before a value. */
static void json_member(const char *key)
{
	if (json_depth) {
		if (json_has_member[json_depth - 1])
			putchar(',');
		json_has_member[json_depth - 1] = true;
	}
	if (key) {
		json_write_string(key);
		putchar(':');
	}
}

/* After a value: the top-level value ends the output. */
static void json_value_done(void)
{
	if (!json_depth)
		putchar('\n');
}

static void json_open(const char *key, char bracket)
{
	json_member(key);
	putchar(bracket);
	if (json_depth >= JSON_MAX_DEPTH)
		abort();	/* nothing chamctl prints nests this deep */
	json_has_member[json_depth++] = false;
}

static void json_close(char bracket)
{
	putchar(bracket);
	json_depth--;
	json_value_done();
}

void json_object_begin(const char *key)
{
	json_open(key, '{');
}

void json_object_end(void)
{
	json_close('}');
}

void json_array_begin(const char *key)
{
	json_open(key, '[');
}

void json_array_end(void)
{
	json_close(']');
}

void json_string(const char *key, const char *value)
{
	json_member(key);
	if (value)
		json_write_string(value);
	else
		fputs("null", stdout);
	json_value_done();
}

void json_uint(const char *key, uint64_t value)
{
	json_member(key);
	printf("%llu", (unsigned long long)value);
	json_value_done();
}

void json_int(const char *key, int64_t value)
{
	json_member(key);
	printf("%lld", (long long)value);
	json_value_done();
}

void json_null(const char *key)
{
	json_string(key, NULL);
}

void json_bool(const char *key, bool value)
{
	json_member(key);
	fputs(value ? "true" : "false", stdout);
	json_value_done();
}

void json_fixed(const char *key, uint64_t value, unsigned int decimals)
{
	char number[32];

	format_fixed(number, sizeof(number), value, decimals);
	json_member(key);
	fputs(number, stdout);
	json_value_done();
}
