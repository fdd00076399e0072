package cli

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/kabarnews/kabar/internal/model"
	"github.com/kabarnews/kabar/internal/store"
	"github.com/kabarnews/kabar/internal/web"
)

func init() {
	addCommand(command{"admin", "site owners: admin create NAME | admin password NAME | admin token NAME", runAdmin})
}

func runAdmin(ctx context.Context, env *Env, global *flags, args []string) error {
	usage := fmt.Errorf("%w: kabar admin create NAME | admin password NAME [--password-file FILE] | admin token NAME [--label TEXT]", errUsage)
	if len(args) == 0 {
		return usage
	}
	switch args[0] {
	case "create":
		return adminPassword(ctx, env, global, "create", args[1:])
	case "password", "passwd":
		return adminPassword(ctx, env, global, "password", args[1:])
	case "token":
		return adminToken(ctx, env, global, args[1:])
	}
	return usage
}

// adminPassword makes a user (create) or sets a user's password (password).
// The password comes from --password-file or the first line of standard
// input, never from the command line, where other users of the machine and
// the shell's history would see it. It must pass web.CheckPasswordPolicy;
// a refused one changes nothing (exit 1, like any refused input that is
// not a malformed command line). Changing a password ends every session and
// API token of the user (store.SiteStore.SetPassword).
func adminPassword(ctx context.Context, env *Env, global *flags, verb string, args []string) (err error) {
	f := sub(env, global, "admin "+verb, "admin "+verb+" NAME [--password-file FILE]")
	file := f.String("password-file", "", "read the password from the first line of this file (default: standard input)")
	pos, err := parseInterleaved(f, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return fmt.Errorf("%w: admin %s takes one user name", errUsage, verb)
	}
	name := strings.TrimSpace(pos[0])
	if name == "" || len(name) > 80 || strings.ContainsFunc(name, func(r rune) bool { return r < ' ' || r == 0x7f }) {
		return fmt.Errorf("%w: %q is not a user name", errUsage, pos[0])
	}
	password, err := readPassword(env.Stdin, *file)
	if err != nil {
		return err
	}
	if err := web.CheckPasswordPolicy(name, password); err != nil {
		return fmt.Errorf("password refused: %w", err)
	}
	hash, err := web.HashPassword(password)
	if err != nil {
		return err
	}
	b, err := openBackend(ctx, f.get(optDB))
	if err != nil {
		return err
	}
	defer closeAfter(&err, b)
	if verb == "create" {
		u := &model.User{Name: name, PasswordHash: hash}
		if err := b.CreateUser(ctx, u); err != nil {
			if errors.Is(err, store.ErrExists) {
				return fmt.Errorf("user %q already exists; to change the password: kabar admin password %s", name, name)
			}
			return err
		}
		fmt.Fprintf(env.Stdout, "created user %s; sign in at /admin\n", name)
		return nil
	}
	u, err := b.UserByName(ctx, name)
	if err != nil {
		return err
	}
	if err := b.SetPassword(ctx, u.ID, hash); err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "password of %s changed; every session and API token of %s has ended\n", name, name)
	return nil
}

// readPassword reads the first line of path, or of stdin when path is "".
func readPassword(stdin io.Reader, path string) (_ string, err error) {
	src := stdin
	what := "standard input"
	if path != "" {
		fh, err := os.Open(path)
		if err != nil {
			return "", err
		}
		defer closeAfter(&err, fh)
		src, what = fh, path
	}
	if src == nil {
		return "", fmt.Errorf("no password: give --password-file or pipe it on standard input")
	}
	line, err := bufio.NewReader(io.LimitReader(src, 4096)).ReadString('\n')
	if err != nil && err != io.EOF {
		return "", fmt.Errorf("reading the password from %s: %w", what, err)
	}
	line = strings.TrimRight(line, "\r\n")
	if line == "" {
		return "", fmt.Errorf("no password on %s", what)
	}
	return line, nil
}

// adminToken makes an API token for a user and prints it; it is shown once.
func adminToken(ctx context.Context, env *Env, global *flags, args []string) (err error) {
	f := sub(env, global, "admin token", "admin token NAME [--label TEXT]")
	label := f.String("label", "cli", "what the token is for, shown in /admin/settings")
	pos, err := parseInterleaved(f, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return fmt.Errorf("%w: admin token takes one user name", errUsage)
	}
	b, err := openBackend(ctx, f.get(optDB))
	if err != nil {
		return err
	}
	defer closeAfter(&err, b)
	u, err := b.UserByName(ctx, pos[0])
	if err != nil {
		return err
	}
	token, err := web.NewAPIToken(ctx, b, u.ID, *label)
	if err != nil {
		return err
	}
	fmt.Fprintln(env.Stdout, token)
	return nil
}

// parseInterleaved parses flags given before or after the positional
// arguments (admin create NAME --password-file F) and returns the latter.
func parseInterleaved(f *flags, args []string) ([]string, error) {
	var pos []string
	for {
		if err := f.Parse(args); err != nil {
			return nil, err
		}
		args = f.Args()
		if len(args) == 0 {
			return pos, nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}
