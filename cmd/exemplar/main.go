// Command exemplar runs enterprise recognition programs. See the README.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/exemplar/exemplar/internal/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
