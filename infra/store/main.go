// Command ecrs-store is the local MongoDB-wire server of the ECRS development stack:
// FerretDB v1 embedded through its public `ferretdb` package, with the SQLite backend.
//
// It exists because `go install .../cmd/ferretdb` builds a binary that panics at start
// (its generated version file is not in the module zip); embedding avoids that path.
//
// Usage: ecrs-store -listen 127.0.0.1:0 -data /abs/dir [-memory]
// Once the listener is up it prints one line `ready mongodb://host:port/` on stdout,
// so a caller that asked for port 0 learns the real port without a race.
// SIGINT/SIGTERM stop it cleanly; with -exit-on-stdin-eof so does the end of standard input,
// so that a store started by a test run never outlives it.
package main

import (
	"context"
	"database/sql"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/FerretDB/FerretDB/ferretdb"
	_ "modernc.org/sqlite" // the driver FerretDB uses; for indexIDPaths
)

func main() {
	listen := flag.String("listen", "127.0.0.1:27017", "TCP address to listen on (port 0 picks a free port)")
	data := flag.String("data", "", "directory for the SQLite files (created if missing)")
	memory := flag.Bool("memory", false, "keep databases in memory (nothing written to -data)")
	logLevel := flag.String("log-level", "warn", "debug | info | warn | error")
	watchStdin := flag.Bool("exit-on-stdin-eof", false, "stop when standard input closes (the parent process is gone)")
	flag.Parse()

	if *data == "" {
		fail("-data is required")
	}
	dir, err := filepath.Abs(*data)
	if err != nil {
		fail(err.Error())
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		fail(err.Error())
	}

	var level slog.Level
	if err := level.UnmarshalText([]byte(*logLevel)); err != nil {
		fail("bad -log-level: " + err.Error())
	}
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))

	url := "file:" + dir + "/"
	if *memory {
		url += "?mode=memory"
	}

	f, err := ferretdb.New(&ferretdb.Config{
		Listener:  ferretdb.ListenerConfig{TCP: *listen},
		Handler:   "sqlite",
		SQLiteURL: url,
		Logger:    logger,
	})
	if err != nil {
		fail(err.Error())
	}

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()

	if *watchStdin {
		go func() {
			_, _ = io.Copy(io.Discard, os.Stdin)
			stop()
		}()
	}

	go func() {
		// MongoDBURI blocks until Run has opened the listener.
		fmt.Printf("ready %s\n", f.MongoDBURI())
	}()

	if !*memory {
		go indexIDPaths(ctx, dir, logger)
	}

	if err := f.Run(ctx); err != nil {
		fail(err.Error())
	}
}

// indexIDPaths works around a planner mismatch in FerretDB v1's SQLite backend: it indexes each
// collection's `_id` as `_ferretdb_sjson->"_id"` but queries it as `_ferretdb_sjson->'$._id'`,
// and SQLite only uses an expression index for the same expression, so every lookup or update
// by `_id` scans the whole table (measured: replaceOne by _id 10 ms at 100 documents, 48 ms at
// 1000). Every two seconds this adds an index on the expression the queries use to the tables
// that lack it, through a second connection to the same database files (WAL mode allows it).
func indexIDPaths(ctx context.Context, dir string, logger *slog.Logger) {
	done := map[string]bool{}
	ticker := time.NewTicker(2 * time.Second)
	defer ticker.Stop()
	for {
		files, _ := filepath.Glob(filepath.Join(dir, "*.sqlite"))
		for _, file := range files {
			if err := indexFile(ctx, file, done); err != nil {
				logger.Debug("id path index", "file", file, "err", err)
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-ticker.C:
		}
	}
}

func indexFile(ctx context.Context, file string, done map[string]bool) error {
	db, err := sql.Open("sqlite", "file:"+file+"?_pragma=busy_timeout(5000)")
	if err != nil {
		return err
	}
	defer db.Close()
	rows, err := db.QueryContext(ctx, `SELECT name FROM sqlite_master WHERE type = 'table' AND sql LIKE '%_ferretdb_sjson%'`)
	if err != nil {
		return err
	}
	var tables []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			rows.Close()
			return err
		}
		if !done[file+"/"+name] {
			tables = append(tables, name)
		}
	}
	rows.Close()
	for _, t := range tables {
		q := fmt.Sprintf(`CREATE INDEX IF NOT EXISTS %q ON %q (_ferretdb_sjson->'$._id')`, t+"_ecrs_id_path", t)
		if _, err := db.ExecContext(ctx, q); err != nil {
			return err
		}
		done[file+"/"+t] = true
	}
	return nil
}

func fail(msg string) {
	fmt.Fprintln(os.Stderr, "ecrs-store:", msg)
	os.Exit(1)
}
