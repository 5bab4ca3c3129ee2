// Command ferretdb runs FerretDB's embeddable server with its SQLite backend:
// the MongoDB-wire store of the local stack. FerretDB's own cmd/ferretdb refuses
// to start when installed as a module (it expects a git checkout), so the stack
// embeds the library instead.
package main

import (
	"context"
	"flag"
	"log"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/FerretDB/FerretDB/ferretdb"
)

func main() {
	listen := flag.String("listen-addr", "127.0.0.1:27017", "TCP address to listen on")
	dataDir := flag.String("sqlite-dir", "", "directory for the SQLite databases (required)")
	flag.Parse()
	if *dataDir == "" {
		log.Fatal("ferretdb: --sqlite-dir is required")
	}
	if err := os.MkdirAll(*dataDir, 0o755); err != nil {
		log.Fatalf("ferretdb: cannot create %s: %v", *dataDir, err)
	}

	server, err := ferretdb.New(&ferretdb.Config{
		Listener:  ferretdb.ListenerConfig{TCP: *listen},
		Handler:   "sqlite",
		SQLiteURL: "file:" + *dataDir + "/",
		Logger:    slog.New(slog.NewJSONHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})),
	})
	if err != nil {
		log.Fatalf("ferretdb: %v", err)
	}

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	slog.Info("ferretdb listening", "addr", *listen, "uri", server.MongoDBURI())
	if err := server.Run(ctx); err != nil && ctx.Err() == nil {
		log.Fatalf("ferretdb: %v", err)
	}
}
