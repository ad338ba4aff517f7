/*
 * sqlshell: the smallest SQLite shell the benchmark needs, built from the SQLite amalgamation that the
 * service itself links (libsqlite3-sys's bundled copy), because Debian 12's sqlite3 shell (3.40) has no
 * unhex(), which the service's UUID expression uses.
 *
 *   sqlshell [-t] DBFILE [SQL...]     SQL from the arguments, else from standard input
 *
 * Opens DBFILE with the service's connection settings (foreign_keys=ON, synchronous=FULL, busy_timeout
 * 10 s; journal_mode=WAL is stored in the file), runs each statement in autocommit mode exactly as
 * sqlite3 would, prints result rows with '|' between columns, and with -t prints after every statement
 * "Run Time: real SECONDS" like the sqlite3 shell's `.timer on` (wall-clock time of prepare + all steps).
 */
#include "sqlite3.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static char *read_all(FILE *in) {
    size_t cap = 1 << 16, len = 0;
    char *buf = malloc(cap);
    size_t n;
    while (buf && (n = fread(buf + len, 1, cap - len - 1, in)) > 0) {
        len += n;
        if (cap - len - 1 == 0) {
            cap *= 2;
            buf = realloc(buf, cap);
        }
    }
    if (buf) buf[len] = 0;
    return buf;
}

static int run(sqlite3 *db, const char *sql, int timer) {
    const char *tail = sql;
    while (tail && *tail) {
        sqlite3_stmt *stmt = NULL;
        double started = now_seconds();
        int rc = sqlite3_prepare_v2(db, tail, -1, &stmt, &tail);
        if (rc != SQLITE_OK) {
            fprintf(stderr, "sqlshell: %s\n", sqlite3_errmsg(db));
            return 1;
        }
        if (!stmt) continue; /* whitespace or a comment */
        int columns = sqlite3_column_count(stmt);
        while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
            for (int i = 0; i < columns; i++) {
                const unsigned char *text = sqlite3_column_text(stmt, i);
                printf("%s%s", i ? "|" : "", text ? (const char *)text : "");
            }
            printf("\n");
        }
        if (rc != SQLITE_DONE) {
            fprintf(stderr, "sqlshell: %s\n", sqlite3_errmsg(db));
            sqlite3_finalize(stmt);
            return 1;
        }
        sqlite3_finalize(stmt);
        if (timer) printf("Run Time: real %.6f\n", now_seconds() - started);
        fflush(stdout);
    }
    return 0;
}

int main(int argc, char **argv) {
    int timer = 0, arg = 1;
    if (arg < argc && strcmp(argv[arg], "-t") == 0) {
        timer = 1;
        arg++;
    }
    if (arg >= argc) {
        fprintf(stderr, "usage: sqlshell [-t] DBFILE [SQL...]\n");
        return 2;
    }
    sqlite3 *db;
    if (sqlite3_open(argv[arg++], &db) != SQLITE_OK) {
        fprintf(stderr, "sqlshell: %s\n", sqlite3_errmsg(db));
        return 1;
    }
    sqlite3_busy_timeout(db, 10000);
    if (run(db, "PRAGMA foreign_keys = ON; PRAGMA synchronous = FULL;", 0)) return 1;
    int failed = 0;
    if (arg < argc) {
        for (; arg < argc && !failed; arg++) failed = run(db, argv[arg], timer);
    } else {
        char *sql = read_all(stdin);
        failed = !sql || run(db, sql, timer);
        free(sql);
    }
    sqlite3_close(db);
    return failed;
}
