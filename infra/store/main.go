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
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	"github.com/FerretDB/FerretDB/ferretdb"
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

	if err := f.Run(ctx); err != nil {
		fail(err.Error())
	}
}

func fail(msg string) {
	fmt.Fprintln(os.Stderr, "ecrs-store:", msg)
	os.Exit(1)
}
