// Command kabar turns news feeds into a full-text, searchable, commentable
// news site. See the README for a quick start.
package main

import (
	"context"
	"os"
	_ "time/tzdata" // --tz works on machines without a zoneinfo database

	"github.com/kabarnews/kabar/internal/cli"
)

func main() {
	os.Exit(cli.Main(context.Background(), os.Args[1:], &cli.Env{
		Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.Getenv,
	}))
}
